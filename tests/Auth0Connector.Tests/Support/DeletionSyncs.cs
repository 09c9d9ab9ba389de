using System.Text.Json;
using Auth0Connector.FakeTenant;

namespace Auth0Connector.Tests.Support;

/// <summary>Incremental users syncs against a fake tenant whose users get deleted between them, and what to read of their output.</summary>
internal sealed class DeletionSyncs : IDisposable
{
    private readonly TempFiles _files = new();

    public TempFiles Files => _files;

    public static FakeTenant.FakeTenant Start(Action<FakeTenantOptions>? configure = null)
    {
        var options = new FakeTenantOptions { Users = 200, Organizations = 0, Clients = 2 };
        configure?.Invoke(options);
        return FakeTenant.FakeTenant.Start(options);
    }

    public Task<ConnectorRun> SyncAsync(FakeTenant.FakeTenant tenant, ConnectorRun? previous = null, string extra = "", bool fullRefresh = false, string? state = null)
    {
        string[] args = ["read", "--config", _files.ClientCredentialsConfig(tenant, extra), "--catalog", _files.Catalog(["users"], usersFullRefresh: fullRefresh)];
        var from = state ?? (previous is null ? null : _files.StateFrom(previous));
        return ConnectorRun.InvokeAsync(from is null ? args : [.. args, "--state", from]);
    }

    public string UsersStateFile(string streamState) =>
        _files.Write($"state-{Guid.NewGuid():N}.json", $$$"""[{"type": "STREAM", "stream": {"stream_descriptor": {"name": "users"}, "stream_state": {{{streamState}}}}}]""");

    public static List<JsonElement> Deletions(ConnectorRun run) =>
        [.. run.Records("users").Where(r => r.TryGetProperty("_ab_cdc_deleted_at", out _))];

    public static JsonElement FinalState(ConnectorRun run) => run.States("users").Last().GetProperty("stream").GetProperty("stream_state");

    /// <summary>Deletes users through the fake's Management API path; returns each one's expected deletion time (its sdu's date).</summary>
    public static Dictionary<string, string> Delete(FakeTenant.FakeTenant tenant, IEnumerable<string> userIds) =>
        userIds.ToDictionary(id => id, id =>
        {
            var (deleted, events) = tenant.DeleteUserLogged(id);
            Assert.True(deleted);
            Assert.Equal(["sdu", "sapi"], events.Select(e => (string)e["type"]!));
            return (string)events[0]["date"]!;
        });

    public void Dispose() => _files.Dispose();
}
