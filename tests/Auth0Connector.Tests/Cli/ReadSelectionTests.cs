using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Cli;

/// <summary><c>read</c> from a terminal: without a catalog, with <c>--streams</c>, and its summary on stderr.</summary>
public class ReadSelectionTests : IDisposable
{
    private readonly TempFiles _files = new();

    [Fact]
    public async Task Read_WithoutCatalog_ReadsEveryStreamIncrementalWhereSupported()
    {
        using var tenant = SmallTenant.Start("select-s3cr3t-0a1b2c");

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant)]);

        Assert.Equal(0, run.ExitCode);
        foreach (var stream in (string[])["clients", "organizations", "organization_members", "organization_member_roles", "users"])
        {
            Assert.Equal("COMPLETE", run.Statuses(stream).Last());
        }

        Assert.Equal(tenant.Options.Users, run.Records("users").Count());
        // Incremental: the users state carries the cursor.
        Assert.True(run.States("users").Last().GetProperty("stream").GetProperty("stream_state").TryGetProperty("updated_at", out _));
    }

    [Fact]
    public async Task Read_Streams_ReadsOnlyThoseAndSummarizesThemOnStderr()
    {
        using var tenant = SmallTenant.Start("select-s3cr3t-3d4e5f");

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--streams", "users, clients"]);

        Assert.Equal(0, run.ExitCode);
        var streams = run.OfType("RECORD").Select(r => r.GetProperty("record").GetProperty("stream").GetString()).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(["clients", "users"], streams);
        Assert.Contains("read: 2 of 2 streams complete", run.Stderr, StringComparison.Ordinal);
        Assert.Matches(@"\n\s+users\s+COMPLETE\s+20\s+\d+", run.Stderr);
        Assert.Matches(@"\n\s+clients\s+COMPLETE\s+3\s+\d+", run.Stderr);
    }

    [Fact]
    public async Task Read_Quiet_WritesNothingOnStderr()
    {
        using var tenant = SmallTenant.Start("select-s3cr3t-6a7b8c");

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--streams", "clients", "--quiet"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Stderr);
    }

    [Fact]
    public async Task Read_StreamsWithATypo_ConfigErrorSuggestsTheStream()
    {
        var config = _files.Write("config.json", """{"base_url":"https://127.0.0.1:1","credentials":{"auth_type":"oauth2_access_token","access_token":"tok-123456789"}}""");

        var run = await ConnectorRun.InvokeAsync(["read", "--config", config, "--streams", "userz"]);

        Assert.Equal(1, run.ExitCode);
        var error = Assert.Single(run.Errors);
        Assert.Equal("config_error", error.GetProperty("failure_type").GetString());
        Assert.Contains("did you mean 'users'?", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    public void Dispose() => _files.Dispose();
}
