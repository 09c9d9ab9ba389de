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

    private static Task<ConnectorRun> ReadAsync(string config, string catalog, Action<IServiceCollection>? services = null) =>
        ConnectorRun.InvokeAsync(["read", "--config", config, "--catalog", catalog], services: services);

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

        var run = await ReadAsync(_files.ClientCredentialsConfig(tenant), _files.Catalog(["clients", "organizations", "organization_members", "users"], usersFullRefresh: true));

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

        var run = await ReadAsync(_files.ClientCredentialsConfig(tenant, clientSecret: WrongSecret), _files.Catalog(["clients", "organizations", "users"], usersFullRefresh: true));

        Assert.Equal(1, run.ExitCode);
        var error = Assert.Single(run.Errors);
        Assert.Equal("config_error", error.GetProperty("failure_type").GetString());
        Assert.Contains("credentials.client_secret", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        AssertEveryStreamIncompleteWithoutRecords(run, "clients", "organizations", "users");
        // Credentials that failed once are not tried again for every stream.
        Assert.Equal(1, tenant.TokenAttemptCount);
        Assert.Equal(0, tenant.ApiRequestCount);
        run.AssertNoSecrets(WrongSecret, Secret);
    }

    [Fact]
    public async Task A_static_token_the_tenant_rejects_is_a_config_error()
    {
        using var tenant = Tenant();
        const string Token = "not-a-token-this-tenant-issued-1234";

        var run = await ReadAsync(_files.AccessTokenConfig(tenant.BaseUrl, Token), _files.Catalog(["users", "clients"], usersFullRefresh: true));

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

        var run = await ReadAsync(_files.ClientCredentialsConfig(tenant, """, "page_size": 100"""), _files.Catalog(["users"], usersFullRefresh: true), Customize);

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
        var tokens = tenant.BearerTokensSeen();
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

        var run = await ReadAsync(_files.ClientCredentialsConfig(tenant), _files.Catalog(["users", "clients"], usersFullRefresh: true), Customize);

        Assert.Equal(1, run.ExitCode);
        var error = Assert.Single(run.Errors);
        Assert.Equal("config_error", error.GetProperty("failure_type").GetString());
        Assert.Empty(run.Records("users"));
        // No loop: the first token, one renewal, and the requests they were tried with.
        Assert.InRange(tenant.TokenRequestCount, 1, 2);
        Assert.InRange(tenant.ApiRequestCount, 1, 4);
        run.AssertNoSecrets([Secret, .. tenant.BearerTokensSeen()]);
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
