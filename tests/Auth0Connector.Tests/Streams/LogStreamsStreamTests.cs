using Auth0Connector.FakeTenant;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Streams;

/// <summary>log_streams: one request, a bare array; the sinks' credentials reach the destination and nothing else.</summary>
public class LogStreamsStreamTests : IDisposable
{
    private readonly TempFiles _files = new();

    [Fact]
    public async Task Read_SixLogStreams_EveryStreamOnceUnchangedInOneRequest()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 10, Organizations = 0, LogStreams = 6 });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["log_streams"])]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses("log_streams"));
        StreamChecks.AssertExactly(run, "log_streams", tenant.LogStreams, "id");
        Assert.Equal([string.Empty], StreamChecks.QueriesTo(tenant, "/api/v2/log-streams"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Read_SinksWithCredentials_CredentialsOnlyInRecords(bool debug)
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 10, Organizations = 0, LogStreams = 6 });
        string[] args = ["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["log_streams"])];

        var run = await ConnectorRun.InvokeAsync(debug ? [.. args, "--debug"] : args);

        Assert.Equal(0, run.ExitCode);
        string[] secretKeys = ["datadogApiKey", "httpAuthorization", "splunkToken", "segmentWriteKey", "mixpanelServiceAccountPassword"];
        List<string> secrets = [.. tenant.LogStreams.Select(s => s["sink"]!.AsObject())
            .SelectMany(sink => secretKeys.Select(k => sink[k]).Append(sink["httpCustomHeaders"]?[0]?["value"]))
            .Where(v => v is not null).Select(v => (string)v!)];
        Assert.Equal(secretKeys.Length + 1, secrets.Count);
        StreamChecks.AssertSecretsOnlyInRecords(run, secrets);
    }

    [Fact]
    public Task Read_WithoutReadLogStreams_OnlyThisStreamIncompleteNamingTheScope() =>
        StreamChecks.AssertMissingScopeFailsOnlyTheStreamAsync("log_streams", "read:log_streams");

    [Fact]
    public Task Check_WithAndWithoutLogStreams_ProbesOnceAndNamesTheMissingScope() =>
        StreamChecks.AssertCheckProbesTheStreamAsync("log_streams", "read:log_streams", "/api/v2/log-streams");

    public void Dispose() => _files.Dispose();
}
