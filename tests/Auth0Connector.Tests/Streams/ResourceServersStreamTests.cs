using System.Text.Json;
using System.Text.Json.Nodes;
using Auth0Connector.FakeTenant;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Streams;

/// <summary>
/// <c>resource_servers</c>, the stream added as a definition to prove "adding a stream" (docs/architecture.md):
/// a complete offset-paged read, records untouched (secrets as data, never in a log), partial scopes.
/// </summary>
public class ResourceServersStreamTests : IDisposable
{
    private readonly TempFiles _files = new();

    [Fact]
    public async Task Read_OfApisAcrossPages_DeliversEveryRecordUntouched()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 10, Organizations = 0, ResourceServers = 250 });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--streams", "resource_servers"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses("resource_servers"));
        var records = run.Records("resource_servers").ToList();
        // Byte for byte as the tenant serves them, in its order: unknown fields and HS256 secrets included.
        Assert.Equal(tenant.ResourceServers.Select(s => s.ToJsonString()), records.Select(r => JsonNode.Parse(r.GetRawText())!.ToJsonString()));
        Assert.Contains(records, r => r.TryGetProperty("proof_of_possession", out _));
        Assert.True(records[0].GetProperty("is_system").GetBoolean());
        // 250 at 100 per page: three pages, no count request.
        Assert.Equal(3, tenant.Server.LogEntries.Count(e => e.RequestMessage?.Path == "/api/v2/resource-servers"));
    }

    [Fact]
    public async Task Read_OfHs256Apis_NeverLogsTheirSigningSecrets()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 10, Organizations = 0, ResourceServers = 7 });
        var secrets = tenant.ResourceServers.Select(s => (string?)s["signing_secret"]).OfType<string>().ToArray();
        Assert.NotEmpty(secrets);

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--streams", "resource_servers", "--debug"]);

        Assert.Equal(0, run.ExitCode);
        foreach (var secret in secrets)
        {
            Assert.Single(run.Lines, l => l.Contains(secret, StringComparison.Ordinal) && l.StartsWith("{\"type\":\"RECORD\"", StringComparison.Ordinal));
            Assert.DoesNotContain(run.Lines, l => l.Contains(secret, StringComparison.Ordinal) && !l.StartsWith("{\"type\":\"RECORD\"", StringComparison.Ordinal));
            Assert.DoesNotContain(secret, run.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task CheckAndRead_WithoutTheStreamsScope_PassAndFailOnlyThatStream()
    {
        using var tenant = SmallTenant.Start("rs-s3cr3t-0a1b2c3d4e", o => o.GrantedScopes = [.. FakeTenant.FakeTenant.AllScopes.Except(["read:resource_servers"])]);
        var config = _files.ClientCredentialsConfig(tenant);

        var check = await ConnectorRun.InvokeAsync(["check", "--config", config]);
        var read = await ConnectorRun.InvokeAsync(["read", "--config", config]);

        var status = check.ConnectionStatus;
        Assert.Equal("SUCCEEDED", status.GetProperty("status").GetString());
        Assert.Contains("read:resource_servers (stream resource_servers)", status.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, read.ExitCode);
        Assert.Equal("INCOMPLETE", read.Statuses("resource_servers").Last());
        var error = Assert.Single(read.Errors);
        Assert.Equal("config_error", error.GetProperty("failure_type").GetString());
        Assert.Equal("resource_servers", error.GetProperty("stream_descriptor").GetProperty("name").GetString());
        Assert.Contains("read:resource_servers", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        foreach (var stream in TenantFiles.AllStreams.Where(s => s != "resource_servers"))
        {
            Assert.Equal("COMPLETE", read.Statuses(stream).Last());
        }
    }

    [Fact]
    public async Task Read_OfMoreApisThanOffsetPagingReaches_FailsTheStreamSayingWhy()
    {
        // The endpoint has no checkpoint paging: past 1000 the stream cannot be read whole, and says so.
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 10, Organizations = 0, ResourceServers = 1_001 });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--streams", "resource_servers"]);

        Assert.Equal(1, run.ExitCode);
        var error = Assert.Single(run.Errors);
        Assert.Contains("1000", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(1000, run.Records("resource_servers").Count());
    }

    public void Dispose() => _files.Dispose();
}
