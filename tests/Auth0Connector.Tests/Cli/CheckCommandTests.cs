using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Auth0Connector.FakeTenant;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Cli;

/// <summary><c>check</c> against the fake Auth0 tenant: every way the connection can fail is named, never leaking a secret.</summary>
public class CheckCommandTests : IDisposable
{
    private const string Secret = "chk-s3cr3t-7f41c0de9b";

    private readonly TempFiles _files = new();

    private static FakeTenant.FakeTenant Tenant(Action<FakeTenantOptions>? configure = null) => SmallTenant.Start(Secret, configure);

    private static async Task<ConnectorRun> CheckAsync(string configPath, params string[] extra)
    {
        var run = await ConnectorRun.InvokeAsync(["check", "--config", configPath, .. extra]);
        Assert.Equal(0, run.ExitCode);
        Assert.Single(run.OfType("CONNECTION_STATUS"));
        return run;
    }

    private static string Succeeded(ConnectorRun run)
    {
        var status = run.ConnectionStatus;
        var message = status.TryGetProperty("message", out var m) ? m.GetString() ?? string.Empty : string.Empty;
        Assert.True(status.GetProperty("status").GetString() == "SUCCEEDED", $"check failed: {message}");
        return message;
    }

    private static string Failed(ConnectorRun run)
    {
        var status = run.ConnectionStatus;
        Assert.Equal("FAILED", status.GetProperty("status").GetString());
        var message = status.GetProperty("message").GetString();
        Assert.False(string.IsNullOrWhiteSpace(message));
        return message!;
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    public async Task Client_credentials_succeed_with_or_without_a_trailing_slash(string suffix)
    {
        using var tenant = Tenant();

        var run = await CheckAsync(_files.ClientCredentialsConfig(tenant, baseUrl: tenant.BaseUrl + suffix));

        var message = Succeeded(run);
        Assert.Contains("127.0.0.1", message, StringComparison.Ordinal);
        Assert.Equal(1, tenant.TokenRequestCount);
        // One probe per stream (a child's with its parent's first record) and one of the role catalog, unless a stream's probe already is it.
        Assert.Equal(TenantFiles.AllStreams.Length + (TenantFiles.AllStreams.Contains("roles") ? 0 : 1), tenant.ApiRequestCount);
        run.AssertNoSecrets(Secret);
    }

    [Fact]
    public async Task A_valid_static_token_succeeds_without_any_token_request()
    {
        using var tenant = Tenant();
        var token = tenant.IssueToken();

        var run = await CheckAsync(_files.AccessTokenConfig(tenant.BaseUrl, token));

        Succeeded(run);
        Assert.Equal(0, tenant.TokenRequestCount);
        Assert.True(tenant.ApiRequestCount >= 3, $"expected probes of the API, saw {tenant.ApiRequestCount} requests");
        run.AssertNoSecrets(token);
    }

    [Fact]
    public async Task A_wrong_client_secret_fails_naming_client_secret_without_printing_it()
    {
        using var tenant = Tenant();
        const string WrongSecret = "wrong-s3cr3t-a1b2c3d4e5";

        var run = await CheckAsync(_files.ClientCredentialsConfig(tenant, clientSecret: WrongSecret));

        var message = Failed(run);
        Assert.Contains("credentials.client_secret", message, StringComparison.Ordinal);
        Assert.Equal(1, tenant.TokenAttemptCount); // refused credentials are not retried
        Assert.Equal(0, tenant.TokenRequestCount);
        Assert.Equal(0, tenant.ApiRequestCount);
        run.AssertNoSecrets(WrongSecret, Secret);
    }

    [Fact]
    public async Task An_unknown_client_id_fails_naming_client_id()
    {
        using var tenant = Tenant();

        var run = await CheckAsync(_files.ClientCredentialsConfig(tenant, clientId: "no-such-client-id"));

        var message = Failed(run);
        Assert.Contains("credentials.client_id", message, StringComparison.Ordinal);
        Assert.Equal(1, tenant.TokenAttemptCount);
        Assert.Equal(0, tenant.TokenRequestCount);
        run.AssertNoSecrets(Secret);
    }

    [Fact]
    public async Task An_audience_other_than_the_Management_API_fails_explaining_the_grant()
    {
        using var tenant = Tenant();

        var run = await CheckAsync(_files.ClientCredentialsConfig(tenant, audience: "https://api.example.com/orders/"));

        var message = Failed(run);
        Assert.Contains("not authorized", message, StringComparison.Ordinal);
        Assert.Contains("credentials.audience", message, StringComparison.Ordinal);
        Assert.Contains(tenant.Audience, message, StringComparison.Ordinal);
        Assert.Equal(1, tenant.TokenAttemptCount);
        Assert.Equal(0, tenant.TokenRequestCount);
        run.AssertNoSecrets(Secret);
    }

    [Fact]
    public async Task An_application_without_a_client_grant_fails_saying_where_to_authorize_it()
    {
        using var tenant = Tenant(o => o.ClientGrantMissing = true);

        var run = await CheckAsync(_files.ClientCredentialsConfig(tenant));

        var message = Failed(run);
        Assert.Contains("not authorized for the Management API", message, StringComparison.Ordinal);
        Assert.Contains("Machine to Machine Applications", message, StringComparison.Ordinal);
        Assert.Contains("client-grant", message, StringComparison.Ordinal); // Auth0's own words are kept
        Assert.Equal(1, tenant.TokenAttemptCount);
        Assert.Equal(0, tenant.ApiRequestCount);
        run.AssertNoSecrets(Secret);
    }

    [Fact]
    public async Task A_switched_off_client_credentials_grant_fails_saying_which_setting_to_enable()
    {
        using var tenant = Tenant(o => o.ClientCredentialsGrantDisabled = true);

        var run = await CheckAsync(_files.ClientCredentialsConfig(tenant));

        var message = Failed(run);
        Assert.Contains("unauthorized_client", message, StringComparison.Ordinal);
        Assert.Contains("Grant Types", message, StringComparison.Ordinal);
        Assert.Contains("Client Credentials", message, StringComparison.Ordinal);
        Assert.Equal(1, tenant.TokenAttemptCount);
        run.AssertNoSecrets(Secret);
    }

    [Fact]
    public async Task Missing_scopes_pass_naming_each_scope_and_its_stream()
    {
        // Partial scopes are normal for a real M2M application: the streams it can read are read.
        using var tenant = Tenant(o => o.GrantedScopes = [.. FakeTenant.FakeTenant.AllScopes.Except(["read:organizations", "read:organization_member_roles"])]);

        var run = await CheckAsync(_files.ClientCredentialsConfig(tenant));

        var message = Succeeded(run);
        Assert.Contains("Missing scopes", message, StringComparison.Ordinal);
        Assert.Contains("INCOMPLETE", message, StringComparison.Ordinal);
        Assert.Contains("read:organizations (stream organizations)", message, StringComparison.Ordinal);
        Assert.Contains("read:organization_member_roles (stream organization_member_roles)", message, StringComparison.Ordinal);
        Assert.DoesNotContain("read:users", message, StringComparison.Ordinal);
        Assert.DoesNotContain("read:clients", message, StringComparison.Ordinal);
        Assert.DoesNotContain("read:organization_members ", message, StringComparison.Ordinal);
        run.AssertNoSecrets(Secret);
    }

    [Fact]
    public async Task A_scope_several_streams_need_is_named_once_with_its_streams()
    {
        using var tenant = Tenant(o => o.GrantedScopes = [.. FakeTenant.FakeTenant.AllScopes.Except(["read:roles"])]);

        var run = await CheckAsync(_files.ClientCredentialsConfig(tenant));

        var message = Succeeded(run);
        Assert.Contains("read:roles (streams roles, role_users, role_permissions, role_groups)", message, StringComparison.Ordinal);
        Assert.Single(message.Split("read:roles (stream").Skip(1));
    }

    [Fact]
    public async Task Probes_run_side_by_side_and_report_in_a_fixed_order()
    {
        // Only a scope no stream needs (read:grants): every probe is refused. With latency the independent
        // probes overlap, yet the message lists the scopes in stream order, whatever order the answers came in.
        using var tenant = Tenant(o =>
        {
            o.GrantedScopes = ["read:grants"];
            o.Latency = TimeSpan.FromMilliseconds(300);
        });

        var run = await CheckAsync(_files.ClientCredentialsConfig(tenant));

        var message = Failed(run);
        string[] expected =
        [
            "read:clients (stream clients)",
            "read:organizations (stream organizations)",
            "read:organization_members (stream organization_members)",
            "read:organization_member_roles (stream organization_member_roles)",
            "read:users (stream users)",
        ];
        var positions = expected.Select(scope => message.IndexOf(scope, StringComparison.Ordinal)).ToArray();
        Assert.All(positions, p => Assert.True(p >= 0, message));
        Assert.Equal(positions.Order(), positions);
        Assert.True(tenant.MaxInFlight >= 3, $"at most {tenant.MaxInFlight} probes were in flight at once");
    }

    [Fact]
    public async Task Without_read_roles_check_passes_and_says_what_the_scope_would_save()
    {
        using var tenant = Tenant(o => o.GrantedScopes = [.. FakeTenant.FakeTenant.AllScopes.Except(["read:roles"])]);

        var run = await CheckAsync(_files.ClientCredentialsConfig(tenant));

        var message = Succeeded(run);
        Assert.Contains("Without read:roles", message, StringComparison.Ordinal);
        Assert.Contains("one request per member", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_WithoutReadLogs_PassesAndSaysUsersDeletionsCannotBeTracked()
    {
        using var tenant = Tenant(o => o.GrantedScopes = [.. FakeTenant.FakeTenant.AllScopes.Except(["read:logs"])]);

        var run = await CheckAsync(_files.ClientCredentialsConfig(tenant));

        var message = Succeeded(run);
        Assert.Contains("read:logs (stream logs)", message, StringComparison.Ordinal);
        Assert.Contains("Without read:logs, the users stream cannot track deletions", message, StringComparison.Ordinal);
        using var full = Tenant();
        Assert.DoesNotContain("cannot track deletions", Succeeded(await CheckAsync(_files.ClientCredentialsConfig(full))), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_member_scope_is_found_by_probing_an_organization()
    {
        using var tenant = Tenant(o => o.GrantedScopes = [.. FakeTenant.FakeTenant.AllScopes.Except(["read:organization_members"])]);

        var run = await CheckAsync(_files.ClientCredentialsConfig(tenant));

        var message = Succeeded(run);
        Assert.Contains("read:organization_members (stream organization_members)", message, StringComparison.Ordinal);
        Assert.DoesNotContain("read:organization_member_roles", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(0, false)]
    [InlineData(2, false)]
    public async Task A_tenant_with_zero_organizations_or_without_the_feature_passes(int organizations, bool feature)
    {
        using var tenant = Tenant(o =>
        {
            o.Organizations = organizations;
            o.OrganizationsFeature = feature;
        });
        Assert.Empty(tenant.Organizations);

        var run = await CheckAsync(_files.ClientCredentialsConfig(tenant));

        var message = Succeeded(run);
        Assert.Contains("organization", message, StringComparison.OrdinalIgnoreCase);
        run.AssertNoSecrets(Secret);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-60)]
    public async Task An_expired_static_token_fails(int lifetimeSeconds)
    {
        using var tenant = Tenant();
        var token = tenant.IssueToken(lifetime: TimeSpan.FromSeconds(lifetimeSeconds));

        var run = await CheckAsync(_files.AccessTokenConfig(tenant.BaseUrl, token));

        var message = Failed(run);
        Assert.Contains("401", message, StringComparison.Ordinal);
        Assert.Contains("expired", message, StringComparison.OrdinalIgnoreCase);
        run.AssertNoSecrets(token);
    }

    [Fact]
    public async Task An_unreachable_host_fails_saying_so_in_bounded_time()
    {
        // A socket bound but never listening: connections to its port are refused, and no other test (nor a fake
        // tenant started in parallel) can take the port while this test runs.
        using var unreachable = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        unreachable.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)unreachable.LocalEndPoint!).Port;

        var config = _files.Write("config.json", new JsonObject
        {
            ["base_url"] = $"http://127.0.0.1:{port}",
            ["credentials"] = new JsonObject
            {
                ["auth_type"] = "oauth2_confidential_application",
                ["client_id"] = "some-client",
                ["client_secret"] = Secret,
            },
        }.ToJsonString());

        // check allows itself a couple of retries only: it must answer long before a sync would give up.
        var run = await CheckAsync(config).WaitAsync(TimeSpan.FromSeconds(30));

        var message = Failed(run);
        Assert.Contains("Could not reach 127.0.0.1", message, StringComparison.Ordinal);
        Assert.Contains("base_url", message, StringComparison.Ordinal);
        run.AssertNoSecrets(Secret);
    }

    [Fact]
    public async Task Debug_output_never_shows_the_secret_or_an_issued_token()
    {
        using var tenant = Tenant();

        var run = await CheckAsync(_files.ClientCredentialsConfig(tenant), "--debug");

        Succeeded(run);
        // --debug did log the requests...
        Assert.Contains("POST /oauth/token", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("GET /api/v2/users", run.Stderr, StringComparison.Ordinal);
        // ...but no credential.
        var tokens = tenant.BearerTokensSeen();
        Assert.NotEmpty(tokens);
        run.AssertNoSecrets([Secret, .. tokens]);
    }

    [Fact]
    public async Task Debug_output_of_a_partially_scoped_static_token_check_never_shows_the_token()
    {
        using var tenant = Tenant(o => o.GrantedScopes = ["read:users"]);
        var token = tenant.IssueToken(scopes: ["read:users"]);

        var run = await CheckAsync(_files.AccessTokenConfig(tenant.BaseUrl, token), "--debug");

        var message = Succeeded(run);
        Assert.Contains("read:clients (stream clients)", message, StringComparison.Ordinal);
        Assert.Contains("GET /api/v2/clients", run.Stderr, StringComparison.Ordinal);
        Assert.Equal([token], tenant.BearerTokensSeen());
        run.AssertNoSecrets(token);
    }

    public void Dispose() => _files.Dispose();
}
