using System.Text.Json;
using System.Text.Json.Nodes;
using Auth0Connector.FakeTenant;
using Auth0Connector.Http;
using Auth0Connector.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Auth0Connector.Tests.Cli;

/// <summary><c>read</c> failures against the fake tenant: what fails is named, what can go on goes on.</summary>
public class ReadErrorTests : IDisposable
{
    private const string Secret = "read-s3cr3t-5e6f7a8b9c";

    private readonly TempFiles _files = new();

    private static FakeTenant.FakeTenant Tenant(Action<FakeTenantOptions>? configure = null) => SmallTenant.Start(Secret, configure);

    private string ClientCredentialsConfig(FakeTenant.FakeTenant tenant, string? clientSecret = null, int? pageSize = null)
    {
        var config = new JsonObject
        {
            ["base_url"] = tenant.BaseUrl,
            ["credentials"] = new JsonObject
            {
                ["auth_type"] = "oauth2_confidential_application",
                ["client_id"] = tenant.Options.ClientId,
                ["client_secret"] = clientSecret ?? tenant.Options.ClientSecret,
            },
        };
        if (pageSize is { } size)
        {
            config["page_size"] = size;
        }

        return _files.Write("config.json", config.ToJsonString());
    }

    private string AccessTokenConfig(FakeTenant.FakeTenant tenant, string token) =>
        _files.Write("config.json", new JsonObject
        {
            ["base_url"] = tenant.BaseUrl,
            ["credentials"] = new JsonObject { ["auth_type"] = "oauth2_access_token", ["access_token"] = token },
        }.ToJsonString());

    /// <summary>A configured catalog of full-refresh streams, in the given order.</summary>
    private string Catalog(params string[] streams)
    {
        var entries = new JsonArray();
        foreach (var name in streams)
        {
            entries.Add(new JsonObject
            {
                ["stream"] = new JsonObject
                {
                    ["name"] = name,
                    ["json_schema"] = new JsonObject(),
                    ["supported_sync_modes"] = new JsonArray("full_refresh"),
                },
                ["sync_mode"] = "full_refresh",
                ["destination_sync_mode"] = "overwrite",
            });
        }

        return _files.Write("catalog.json", new JsonObject { ["streams"] = entries }.ToJsonString());
    }

    private static Task<ConnectorRun> ReadAsync(string config, string catalog, Action<IServiceCollection>? services = null, bool validate = true) =>
        ConnectorRun.InvokeAsync(["read", "--config", config, "--catalog", catalog], services: services, validate: validate);

    /// <summary>
    /// Schema-checks every message but RECORDs, and the first <paramref name="records"/> RECORDs (validating thousands
    /// of records costs seconds and proves nothing more about error handling).
    /// </summary>
    private static void AssertValidProtocol(ConnectorRun run, int records)
    {
        var checkedRecords = 0;
        foreach (var line in run.Lines)
        {
            if (line.StartsWith("{\"type\":\"RECORD\"", StringComparison.Ordinal) && checkedRecords++ >= records)
            {
                continue;
            }

            var problems = ProtocolSchema.Problems(line);
            Assert.True(problems.Count == 0, $"Invalid protocol message: {string.Join("; ", problems)}\n{(line.Length > 500 ? line[..500] : line)}");
        }

        Assert.True(checkedRecords > 0, "no RECORD was checked");
    }

    private static List<string?> Ids(IEnumerable<JsonElement> records, string property) =>
        [.. records.Select(r => r.GetProperty(property).GetString()).Order(StringComparer.Ordinal)];

    private static List<string?> Ids(IEnumerable<JsonObject> records, string property) =>
        [.. records.Select(r => (string?)r[property]).Order(StringComparer.Ordinal)];

    private static void AssertEveryStreamIncompleteWithoutRecords(ConnectorRun run, params string[] streams)
    {
        foreach (var stream in streams)
        {
            var statuses = run.Statuses(stream).ToList();
            Assert.Equal("INCOMPLETE", Assert.Single(statuses, s => s != "STARTED"));
            Assert.Equal("INCOMPLETE", statuses[^1]);
        }

        Assert.Empty(run.OfType("RECORD"));
    }

    [Fact]
    public async Task A_missing_scope_fails_only_its_stream_and_the_others_complete()
    {
        using var tenant = Tenant(o => o.GrantedScopes = [.. FakeTenant.FakeTenant.AllScopes.Except(["read:organization_members"])]);

        var run = await ReadAsync(ClientCredentialsConfig(tenant), Catalog("clients", "organizations", "organization_members", "users"));

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(["STARTED", "INCOMPLETE"], run.Statuses("organization_members"));
        Assert.Empty(run.Records("organization_members"));
        var error = Assert.Single(run.Errors);
        Assert.Equal("config_error", error.GetProperty("failure_type").GetString());
        Assert.Equal("organization_members", error.GetProperty("stream_descriptor").GetProperty("name").GetString());
        Assert.Contains("read:organization_members", error.GetProperty("message").GetString(), StringComparison.Ordinal);

        // The streams before and after the failing one are whole.
        foreach (var stream in (string[])["clients", "organizations", "users"])
        {
            Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses(stream));
        }

        Assert.Equal(Ids(tenant.Clients, "client_id"), Ids(run.Records("clients"), "client_id"));
        Assert.Equal(Ids(tenant.Organizations, "id"), Ids(run.Records("organizations"), "id"));
        Assert.Equal([.. tenant.UserIds.Order(StringComparer.Ordinal)], Ids(run.Records("users"), "user_id"));
        Assert.Equal(1, tenant.TokenRequestCount);
        run.AssertNoSecrets(Secret);
    }

    [Fact]
    public async Task A_wrong_client_secret_is_a_config_error_and_no_stream_completes()
    {
        using var tenant = Tenant();
        const string WrongSecret = "wrong-s3cr3t-0f9e8d7c6b";

        var run = await ReadAsync(ClientCredentialsConfig(tenant, clientSecret: WrongSecret), Catalog("clients", "organizations", "users"));

        Assert.Equal(1, run.ExitCode);
        var error = Assert.Single(run.Errors);
        Assert.Equal("config_error", error.GetProperty("failure_type").GetString());
        Assert.Contains("credentials.client_secret", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        AssertEveryStreamIncompleteWithoutRecords(run, "clients", "organizations", "users");
        // Credentials that failed once are not tried again for every stream.
        Assert.Equal(1, tenant.Server.LogEntries.Count(e => e.RequestMessage?.Path == "/oauth/token"));
        Assert.Equal(0, tenant.ApiRequestCount);
        run.AssertNoSecrets(WrongSecret, Secret);
    }

    [Fact]
    public async Task A_static_token_the_tenant_rejects_is_a_config_error()
    {
        using var tenant = Tenant();
        const string Token = "not-a-token-this-tenant-issued-1234";

        var run = await ReadAsync(AccessTokenConfig(tenant, Token), Catalog("users", "clients"));

        Assert.Equal(1, run.ExitCode);
        var error = Assert.Single(run.Errors);
        Assert.Equal("config_error", error.GetProperty("failure_type").GetString());
        Assert.Contains("401", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        AssertEveryStreamIncompleteWithoutRecords(run, "users", "clients");
        // A pasted token cannot be renewed: one rejected request ends the sync.
        Assert.Equal(1, tenant.ApiRequestCount);
        Assert.Equal(0, tenant.TokenRequestCount);
        run.AssertNoSecrets(Token);
    }

    [Fact]
    public async Task Tokens_revoked_mid_sync_are_renewed_once_and_every_user_is_read()
    {
        using var tenant = Tenant(o =>
        {
            o.Users = 2500;
            o.Organizations = 0;
        });
        const int RevokeBeforeRequest = 5;
        var sent = 0;
        var revoked = 0;
        void Customize(IServiceCollection services) =>
            services.AddHttpClient<Auth0ApiClient>().AddHttpMessageHandler(() => new BeforeSend(() =>
            {
                // Innermost handler: the request already carries its token when the tenant forgets them all.
                if (Interlocked.Increment(ref sent) == RevokeBeforeRequest)
                {
                    tenant.RevokeAllTokens();
                    Interlocked.Exchange(ref revoked, 1);
                }
            }));

        var run = await ReadAsync(ClientCredentialsConfig(tenant, pageSize: 100), Catalog("users"), Customize, validate: false);
        AssertValidProtocol(run, records: 200);

        Assert.Equal(1, Volatile.Read(ref revoked));
        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Errors);
        Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses("users"));
        var ids = run.Records("users").Select(u => u.GetProperty("user_id").GetString()).ToList();
        Assert.Equal(2500, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(2, tenant.TokenRequestCount);
        // Only the requests in flight at the revocation were refused (ranges are read 4 at a time),
        // and all were sent again with the one new token.
        Assert.InRange(tenant.Server.LogEntries.Count(e => e.ResponseMessage?.StatusCode is 401), 1, 4);
        var tokens = BearerTokensSeen(tenant);
        Assert.Equal(2, tokens.Count);
        run.AssertNoSecrets([Secret, .. tokens]);
    }

    [Fact]
    public async Task A_401_that_persists_after_the_one_renewal_ends_the_sync_as_a_config_error()
    {
        using var tenant = Tenant(o =>
        {
            o.Users = 300;
            o.Organizations = 0;
        });
        // Every token is revoked before it can be used: renewing cannot help.
        void Customize(IServiceCollection services) =>
            services.AddHttpClient<Auth0ApiClient>().AddHttpMessageHandler(() => new BeforeSend(tenant.RevokeAllTokens));

        var run = await ReadAsync(ClientCredentialsConfig(tenant), Catalog("users", "clients"), Customize);

        Assert.Equal(1, run.ExitCode);
        var error = Assert.Single(run.Errors);
        Assert.Equal("config_error", error.GetProperty("failure_type").GetString());
        Assert.Empty(run.Records("users"));
        // No loop: the first token, one renewal, and the requests they were tried with.
        Assert.InRange(tenant.TokenRequestCount, 1, 2);
        Assert.InRange(tenant.ApiRequestCount, 1, 4);
        run.AssertNoSecrets([Secret, .. BearerTokensSeen(tenant)]);
    }

    /// <summary>Every bearer token the tenant saw, read from the WireMock request log.</summary>
    private static List<string> BearerTokensSeen(FakeTenant.FakeTenant tenant)
    {
        var tokens = new List<string>();
        foreach (var entry in tenant.Server.LogEntries)
        {
            foreach (var (name, values) in entry.RequestMessage?.Headers ?? new Dictionary<string, WireMock.Types.WireMockList<string>>())
            {
                if (string.Equals(name, "Authorization", StringComparison.OrdinalIgnoreCase))
                {
                    tokens.AddRange(values.Where(v => v.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)).Select(v => v[7..].Trim()));
                }
            }
        }

        return [.. tokens.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Runs an action just before each request leaves the connector.</summary>
    private sealed class BeforeSend(Action action) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            action();
            return base.SendAsync(request, cancellationToken);
        }
    }

    public void Dispose() => _files.Dispose();
}
