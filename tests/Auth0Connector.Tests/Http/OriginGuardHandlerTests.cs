using System.Net;
using Auth0Connector.Http;
using Auth0Connector.Tests.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Auth0Connector.Tests.Http;

/// <summary>Credentials go only to the configured origin: hostile redirects and off-origin links.</summary>
public class OriginGuardHandlerTests : IDisposable
{
    private const string Secret = "origin-s3cr3t-9a8b7c6d";
    private const string Token = "origin-token-1f2e3d4c5b";
    private readonly TempFiles _files = new();
    private readonly WireMockServer _tenant = WireMockServer.Start();
    private readonly WireMockServer _attacker = WireMockServer.Start();

    public OriginGuardHandlerTests()
    {
        // Whatever reaches the attacker looks like a perfect Auth0 answer.
        _attacker.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(200)
            .WithHeader("Content-Type", "application/json")
            .WithBody("""{"access_token":"stolen-aaaaaaaa","expires_in":86400,"clients":[{"client_id":"evil"}],"total":1}"""));
    }

    private string ClientCredentialsConfig() => _files.Write($"config-{Guid.NewGuid():N}.json", $$$"""
        {"base_url":"{{{_tenant.Url}}}","max_retries":2,
         "credentials":{"auth_type":"oauth2_confidential_application","client_id":"cid-123456","client_secret":"{{{Secret}}}"}}
        """);

    [Theory]
    [InlineData(307)]
    [InlineData(308)]
    [InlineData(302)]
    public async Task Check_TokenEndpointRedirects_SecretNeverLeavesAndFailedNamesTheOrigin(int status)
    {
        _tenant.Given(Request.Create().WithPath("/oauth/token").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Location", $"{_attacker.Url}/collect?key=abc"));

        var run = await ConnectorRun.InvokeAsync(["check", "--config", ClientCredentialsConfig()]);

        Assert.Empty(_attacker.LogEntries);
        var message = run.ConnectionStatus.GetProperty("message").GetString()!;
        Assert.Equal("FAILED", run.ConnectionStatus.GetProperty("status").GetString());
        Assert.Contains($"HTTP {status}", message, StringComparison.Ordinal);
        Assert.Contains(new Uri(_attacker.Url!).Authority, message, StringComparison.Ordinal);
        Assert.DoesNotContain("collect", message, StringComparison.Ordinal);
        Assert.DoesNotContain("key=abc", message, StringComparison.Ordinal);
        Assert.Single(_tenant.LogEntries); // a redirect is not retried either
        run.AssertNoSecrets(Secret);
    }

    [Fact]
    public async Task Read_ApiEndpointRedirectsToAnotherHost_NoTokenReachesItAndItsBodyIsNoRecord()
    {
        _tenant.Given(Request.Create().WithPath("/api/v2/clients").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(302).WithHeader("Location", $"{_attacker.Url}/api/v2/clients?page=0"));
        var config = _files.AccessTokenConfig(_tenant.Url!, Token);

        var run = await ConnectorRun.InvokeAsync(["read", "--config", config, "--streams", "clients"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Empty(_attacker.LogEntries);
        Assert.Empty(run.OfType("RECORD"));
        var error = Assert.Single(run.Errors);
        Assert.Equal("config_error", error.GetProperty("failure_type").GetString());
        Assert.Contains("HTTP 302", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("base_url", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("INCOMPLETE", run.Statuses("clients").Last());
        run.AssertNoSecrets(Token);
    }

    [Theory]
    [InlineData("http://downloads.example.com/export.json.gz", false)]
    [InlineData("ftp://127.0.0.1/export.json.gz", false)]
    [InlineData("https://downloads.example.com/export.json.gz", true)]
    [InlineData("http://127.0.0.1:9/export.json.gz", true)]
    public async Task ForDownloads_LinkScheme_OnlyHttpsOrLoopbackHttpIsSent(string link, bool sent)
    {
        var inner = new RecordingHandler();
        using var client = new HttpClient(OriginGuard(OriginGuardHandler.ForDownloads(), inner));

        if (sent)
        {
            using var _ = await client.GetAsync(new Uri(link));
        }
        else
        {
            await Assert.ThrowsAsync<OffOriginException>(() => client.GetAsync(new Uri(link)));
        }

        Assert.Equal(sent ? 1 : 0, inner.Sent);
    }

    [Fact]
    public async Task ForDownloads_RequestWithAuthorization_NeverSent()
    {
        var inner = new RecordingHandler();
        using var client = new HttpClient(OriginGuard(OriginGuardHandler.ForDownloads(), inner));
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://downloads.example.com/x");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);

        var error = await Assert.ThrowsAsync<OffOriginException>(() => client.SendAsync(request));

        Assert.Equal(0, inner.Sent);
        Assert.DoesNotContain(Token, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://tenant.example.com:8443/api/v2/users")]
    [InlineData("http://tenant.example.com/api/v2/users")]
    [InlineData("https://evil.example.com/api/v2/users")]
    public async Task ForOrigin_AnotherSchemeHostOrPort_NeverSent(string target)
    {
        var inner = new RecordingHandler();
        using var client = new HttpClient(OriginGuard(OriginGuardHandler.ForOrigin(new Uri("https://tenant.example.com/")), inner));

        await Assert.ThrowsAsync<OffOriginException>(() => client.GetAsync(new Uri(target)));

        Assert.Equal(0, inner.Sent);
    }

    [Fact]
    public async Task ForDownloads_RedirectToHttp_IsAnErrorNotFollowed()
    {
        var inner = new RecordingHandler(HttpStatusCode.Found, "http://downloads.example.com/plain");
        using var client = new HttpClient(OriginGuard(OriginGuardHandler.ForDownloads(), inner));

        var error = await Assert.ThrowsAsync<Auth0ApiException>(() => client.GetAsync(new Uri("https://downloads.example.com/export?sig=secret")));

        Assert.Equal(1, inner.Sent);
        Assert.Contains("http://downloads.example.com:80", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sig=secret", error.Message, StringComparison.Ordinal);
    }

    private static OriginGuardHandler OriginGuard(OriginGuardHandler guard, HttpMessageHandler inner)
    {
        guard.InnerHandler = inner;
        return guard;
    }

    private sealed class RecordingHandler(HttpStatusCode status = HttpStatusCode.OK, string? location = null) : HttpMessageHandler
    {
        public int Sent { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Sent++;
            var response = new HttpResponseMessage(status) { RequestMessage = request };
            if (location is not null)
            {
                response.Headers.Location = new Uri(location);
            }

            return Task.FromResult(response);
        }
    }

    public void Dispose()
    {
        _tenant.Stop();
        _attacker.Stop();
        _files.Dispose();
    }
}
