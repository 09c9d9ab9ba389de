using System.Text.Json;
using Auth0Connector.Cli;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Cli;

public class ConfigKeyCheckTests : IDisposable
{
    private readonly TempFiles _files = new();

    private static IReadOnlyList<string> WarningsOf(string json)
    {
        using var document = JsonDocument.Parse(json);
        return ConfigKeyCheck.Warnings(document.RootElement);
    }

    [Theory]
    [InlineData("start_dat", "start_date")]
    [InlineData("startdate", "start_date")]
    [InlineData("Page-Size", "page_size")]
    [InlineData("max_retires", "max_retries")]
    [InlineData("base_ulr", "base_url")]
    public void Warnings_MistypedKey_SuggestsTheSetting(string typo, string setting)
    {
        var warning = Assert.Single(WarningsOf($$"""{"credentials":{},"{{typo}}":1}"""));

        Assert.Contains($"'{typo}'", warning, StringComparison.Ordinal);
        Assert.Contains($"did you mean '{setting}'?", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Warnings_MistypedCredentialsKey_SuggestsWithItsPath()
    {
        var warning = Assert.Single(WarningsOf("""{"base_url":"https://x.auth0.com","credentials":{"auth_type":"oauth2_confidential_application","client_id":"a","clientsecret":"b"}}"""));

        Assert.Contains("'credentials.clientsecret'", warning, StringComparison.Ordinal);
        Assert.Contains("did you mean 'credentials.client_secret'?", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("\"b\"", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Warnings_UnrelatedKey_ListsTheSettingsWithoutSuggesting()
    {
        var warning = Assert.Single(WarningsOf("""{"base_url":"https://x.auth0.com","credentials":{},"colour":"blue"}"""));

        Assert.DoesNotContain("did you mean", warning, StringComparison.Ordinal);
        Assert.Contains("lookback_window_seconds", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Warnings_EverySettingOfTheSpec_None()
    {
        Assert.Empty(WarningsOf("""
            {"base_url":"https://x.auth0.com","start_date":"2024-01-01T00:00:00Z","page_size":50,"max_retries":3,"requests_per_second":5,
             "max_concurrency":2,"lookback_window_seconds":60,
             "credentials":{"auth_type":"oauth2_confidential_application","client_id":"a","client_secret":"b","audience":"https://x.auth0.com/api/v2/","access_token":"c"}}
            """));
    }

    [Fact]
    public async Task Discover_ConfigWithATypo_WarnsBeforeTheCatalog()
    {
        var config = _files.Write("config.json", """{"base_url":"https://127.0.0.1:1","credentials":{"auth_type":"oauth2_access_token","access_token":"tok-123456789"},"start_dat":"2024-01-01"}""");

        var run = await ConnectorRun.InvokeAsync(["discover", "--config", config]);

        Assert.Equal(0, run.ExitCode);
        var log = Assert.Single(run.OfType("LOG")).GetProperty("log");
        Assert.Equal("WARN", log.GetProperty("level").GetString());
        Assert.Contains("did you mean 'start_date'?", log.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    public void Dispose() => _files.Dispose();
}
