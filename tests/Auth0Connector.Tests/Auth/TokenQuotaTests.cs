using Auth0Connector.Tests.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Auth0Connector.Tests.Auth;

/// <summary>A 429 from <c>/oauth/token</c>: Auth0's per-tenant quota of M2M tokens, an error that names it, not an hour-long wait.</summary>
public sealed class TokenQuotaTests : IDisposable
{
    private const string Secret = "quota-s3cr3t-5e6f7a8b";
    private readonly TempFiles _files = new();
    private readonly WireMockServer _tenant = WireMockServer.Start();

    [Fact]
    public async Task Read_TokenEndpointAnswers429WithRetryAfterOfAnHour_StopsAtOnceNamingTheQuota()
    {
        _tenant.Given(Request.Create().WithPath("/oauth/token").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "3600")
                .WithHeader("Content-Type", "application/json")
                .WithBody("""{"error":"too_many_requests","error_description":"Global limit has been reached"}"""));
        var config = _files.Write("config.json", $$$"""
            {"base_url":"{{{_tenant.Url}}}",
             "credentials":{"auth_type":"oauth2_confidential_application","client_id":"cid-123456","client_secret":"{{{Secret}}}"}}
            """);

        var started = DateTimeOffset.UtcNow;
        var run = await ConnectorRun.InvokeAsync(["read", "--config", config, "--streams", "users,clients,logs"]);

        Assert.NotEqual(0, run.ExitCode);
        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(60), "the read waited for the token quota's Retry-After");
        var error = Assert.Single(run.Errors);
        Assert.Equal("transient_error", error.GetProperty("failure_type").GetString());
        var message = error.GetProperty("message").GetString()!;
        Assert.Contains("quota of machine-to-machine tokens", message, StringComparison.Ordinal);
        Assert.Contains("HTTP 429", message, StringComparison.Ordinal);
        Assert.Empty(run.OfType("RECORD"));
        // The token is asked for once for the whole run, not once per stream, and a long Retry-After is not retried.
        Assert.Single(_tenant.LogEntries);
        run.AssertNoSecrets(Secret);
    }

    public void Dispose()
    {
        _tenant.Dispose();
        _files.Dispose();
    }
}
