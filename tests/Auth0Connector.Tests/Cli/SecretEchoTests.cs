using System.Text;
using System.Text.Json;
using Auth0Connector.Tests.Foundation;
using Auth0Connector.Tests.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Auth0Connector.Tests.Cli;

/// <summary>
/// Hostile servers that echo what they were sent: the client secret in the posted form body, the
/// bearer token in an API error. Whatever the encoding, no output line and no stderr text holds it.
/// </summary>
public class SecretEchoTests : IDisposable
{
    /// <summary>A secret that every encoder changes: space, + / = &amp; " and non-ASCII.</summary>
    private const string Secret = "echo s3cr3t+/=&\"é-value";

    private readonly TempFiles _files = new();

    /// <summary>Every form the secret may be echoed in (raw, URL-encoded, JSON-escaped, base64), and HTTP Basic's id:secret in base64.</summary>
    private static string[] FormsOf(string secret, string? clientId = null)
    {
        var forms = RedactorTests.EncodingsOf(secret).Select(e => e.Form);
        if (clientId is not null)
        {
            forms = forms.Concat(RedactorTests.EncodingsOf($"{clientId}:{secret}").Where(e => e.Encoding.StartsWith("base64", StringComparison.Ordinal)).Select(e => e.Form));
        }

        return [.. forms.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>A token endpoint that answers 401 quoting the posted form body, its JSON and the Basic credentials.</summary>
    private static FakeTenant.FakeTenant EchoingTokenEndpoint()
    {
        var tenant = SmallTenant.Start(Secret);
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{tenant.Options.ClientId}:{Secret}"));
        var description = "You posted BODY; as JSON " + JsonSerializer.Serialize(new { client_secret = Secret }) + "; Authorization: Basic " + basic;
        var body = JsonSerializer.Serialize(new { error = "access_denied", error_description = description })
            .Replace("BODY", "{{{request.body}}}", StringComparison.Ordinal);
        tenant.Server.Given(Request.Create().WithPath("/oauth/token").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(401).WithHeader("Content-Type", "application/json").WithBody(body).WithTransformer());
        return tenant;
    }

    [Theory]
    [InlineData("read")]
    [InlineData("read", "--debug")]
    [InlineData("check")]
    [InlineData("check", "--debug")]
    public async Task TokenEndpoint_EchoingTheFormBody_PrintsStarsInstead(string command, params string[] extra)
    {
        using var tenant = EchoingTokenEndpoint();
        var config = _files.ClientCredentialsConfig(tenant);
        string[] args = command == "read"
            ? ["read", "--config", config, "--catalog", _files.Catalog(["clients"]), .. extra]
            : ["check", "--config", config, .. extra];

        var run = await ConnectorRun.InvokeAsync(args);

        var text = command == "read" ? Assert.Single(run.Errors).GetProperty("message").GetString()! : run.ConnectionStatus.GetProperty("message").GetString()!;
        Assert.Contains("You posted", text, StringComparison.Ordinal);
        Assert.Contains("***", text, StringComparison.Ordinal);
        run.AssertNoSecrets(FormsOf(Secret, tenant.Options.ClientId));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ApiError_EchoingTheToken_PrintsStarsInstead(bool debug)
    {
        const string Token = "pasted.tok+en/with&odd=chars \"quoted\"";
        using var tenant = SmallTenant.Start(Secret);
        var echoes = string.Join(" | ", RedactorTests.EncodingsOf(Token).Select(e => e.Form));
        tenant.Server.Given(Request.Create().WithPath("/api/v2/clients").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(400).WithHeader("Content-Type", "application/json")
                .WithBody(JsonSerializer.Serialize(new { statusCode = 400, error = "Bad Request", message = $"Unexpected token {echoes}" })));
        string[] args = ["read", "--config", _files.AccessTokenConfig(tenant.BaseUrl, Token), "--catalog", _files.Catalog(["clients"])];

        var run = await ConnectorRun.InvokeAsync(debug ? [.. args, "--debug"] : args);

        Assert.Equal(1, run.ExitCode);
        var message = Assert.Single(run.Errors).GetProperty("message").GetString()!;
        Assert.Contains("Unexpected token ***", message, StringComparison.Ordinal);
        run.AssertNoSecrets(FormsOf(Token));
    }

    [Theory]
    [InlineData("base_url", "http://admin:hunter2-p4ss@evil.example.com", null)]
    [InlineData("base_url", "https://admin:hunter2-p4ss@127.0.0.1", null)]
    [InlineData("credentials.audience", null, "hunter2-p4ss pasted here")]
    public async Task CheckAndRead_RejectedConfigValue_NameTheFieldWithoutEchoingIt(string field, string? baseUrl, string? audience)
    {
        using var tenant = SmallTenant.Start(Secret);
        var config = _files.ClientCredentialsConfig(tenant, baseUrl: baseUrl, audience: audience);

        var check = await ConnectorRun.InvokeAsync(["check", "--config", config]);
        var read = await ConnectorRun.InvokeAsync(["read", "--config", config, "--catalog", _files.Catalog(["clients"])]);

        Assert.Equal("FAILED", check.ConnectionStatus.GetProperty("status").GetString());
        Assert.Contains($"'{field}'", check.ConnectionStatus.GetProperty("message").GetString(), StringComparison.Ordinal);
        var error = Assert.Single(read.Errors);
        Assert.Equal("config_error", error.GetProperty("failure_type").GetString());
        Assert.Contains($"'{field}'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        check.AssertNoSecrets("hunter2");
        read.AssertNoSecrets("hunter2");
        Assert.Equal(0, tenant.TokenRequestCount);
    }

    [Theory]
    [InlineData("check")]
    [InlineData("discover")]
    [InlineData("read")]
    public async Task AnyCommand_SecretPastedIntoAnotherField_NeverEchoed(string command)
    {
        // The secret is also pasted into start_date, which fails validation and quotes its value.
        var secret = System.Text.Json.JsonSerializer.Serialize(Secret);
        var config = _files.Write($"config-{Guid.NewGuid():N}.json", $$$"""
            {"base_url":"https://127.0.0.1:1","start_date":{{{secret}}},
             "credentials":{"auth_type":"oauth2_confidential_application","client_id":"cid-echo-1","client_secret":{{{secret}}}}}
            """);

        var run = await ConnectorRun.InvokeAsync([command, "--config", config]);

        Assert.Contains(run.Lines, l => l.Contains("start_date", StringComparison.Ordinal));
        run.AssertNoSecrets(FormsOf(Secret, "cid-echo-1"));
    }

    public void Dispose() => _files.Dispose();
}
