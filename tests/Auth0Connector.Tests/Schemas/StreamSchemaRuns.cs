using System.Text.Json;
using Auth0Connector.FakeTenant;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Schemas;

/// <summary>
/// Full reads of every stream against fake tenants, through each way a stream can fetch its records:
/// users by search and by export, clients with secrets (read:client_keys), member roles from the
/// members listing plus the role catalog and, without read:roles, from the per-member endpoint.
/// </summary>
public sealed class StreamSchemaRuns : IAsyncLifetime
{
    private readonly List<(string Path, ConnectorRun Run)> _runs = [];

    /// <summary>Every record of <paramref name="stream"/> with the name of the run that read it.</summary>
    public List<(string Path, JsonElement Record)> Records(string stream) =>
        [.. _runs.SelectMany(r => r.Run.Records(stream).Select(record => (r.Path, record)))];

    public async Task InitializeAsync()
    {
        // 1,100 users stamped in one millisecond are read through a users export, the rest by search.
        await ReadAsync("search+export, role catalog, client keys", "users export", new FakeTenantOptions
        {
            Users = 1_200,
            UsersSharingOneTimestamp = 1_100,
            Organizations = 3,
            MembersPerOrganization = 6,
            Clients = 6,
            ExportJobPolls = 1,
            GrantedScopes = [.. FakeTenant.FakeTenant.AllScopes, "read:client_keys"],
        });
        await ReadAsync("search, roles per member", "one request per member", new FakeTenantOptions
        {
            Users = 60,
            Organizations = 2,
            MembersPerOrganization = 5,
            Clients = 3,
            GrantedScopes = [.. FakeTenant.FakeTenant.AllScopes.Where(s => s != "read:roles")],
        });
    }

    /// <summary>Reads every stream the grant allows; <paramref name="logged"/> is logged when the run took the path it names.</summary>
    private async Task ReadAsync(string path, string logged, FakeTenantOptions options)
    {
        using var files = new TempFiles();
        using var tenant = FakeTenant.FakeTenant.Start(options);
        // The streams the grant allows (without read:roles, the role streams cannot be read).
        string[] streams = [.. new Auth0Connector.Streams.StreamRegistry().All.Where(s => s.RequiredScopes.All(options.GrantedScopes.Contains)).Select(s => s.Name)];
        var run = await ConnectorRun.InvokeAsync(["read", "--config", files.ClientCredentialsConfig(tenant), "--catalog", files.Catalog(streams)]);
        Assert.True(run.ExitCode == 0, $"{path}: exit {run.ExitCode}: {string.Join("; ", run.Errors.Select(e => e.GetRawText()))}");
        Assert.All(streams, stream => Assert.NotEmpty(run.Records(stream)));
        Assert.Contains(run.OfType("LOG"), l => l.GetProperty("log").GetProperty("message").GetString()!.Contains(logged, StringComparison.Ordinal));
        _runs.Add((path, run));
    }

    public Task DisposeAsync() => Task.CompletedTask;
}
