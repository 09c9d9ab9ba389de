using Auth0Connector.FakeTenant;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Streams;

/// <summary>What the fan-out streams cost in requests, and that the cheaper path gives the same records.</summary>
public class RequestEconomyTests : IDisposable
{
    private readonly TempFiles _files = new();

    private static List<string> RoleKeys(ConnectorRun run) =>
        run.Records("organization_member_roles")
            .Select(r => $"{r.GetProperty("org_id").GetString()}/{r.GetProperty("user_id").GetString()}/{r.GetProperty("id").GetString()}/{r.GetProperty("name").GetString()}/{r.GetProperty("description").GetString()}")
            .Order().ToList();

    [Fact]
    public async Task Member_roles_of_20_organizations_of_100_members_cost_a_few_requests_per_organization()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 2_500, Organizations = 20, MembersPerOrganization = 100, RolesPerMember = 2 });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["organization_member_roles"])]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(20 * 100 * 2, run.Records("organization_member_roles").Count());
        var perMember = tenant.Server.LogEntries.Count(e => e.RequestMessage?.Path?.EndsWith("/roles", StringComparison.Ordinal) == true && e.RequestMessage.Path.Contains("/members/", StringComparison.Ordinal));
        Assert.Equal(0, perMember);
        // Organizations listing + role catalog + members-with-roles pages (the last page may be followed by an empty one).
        Assert.InRange(tenant.ApiRequestCount, 20 + 2, 20 * 3 + 2);
        var orgs = tenant.Organizations.Select(o => (string)o["id"]!).ToList();
        var expected = orgs.SelectMany(o => tenant.MembersOf(o).SelectMany(m => tenant.RolesOf(o, (string)m["user_id"]!)
            .Select(r => $"{o}/{m["user_id"]}/{r["id"]}/{r["name"]}/{r["description"]}"))).Order().ToList();
        Assert.Equal(expected, RoleKeys(run));
    }

    [Fact]
    public async Task Without_read_roles_member_roles_fall_back_to_the_per_member_endpoint_with_the_same_records()
    {
        var scopes = FakeTenant.FakeTenant.AllScopes.Where(s => s != "read:roles").ToList();
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 200, Organizations = 3, MembersPerOrganization = 10, GrantedScopes = scopes });
        using var full = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 200, Organizations = 3, MembersPerOrganization = 10 });

        var fallback = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["organization_member_roles"])]);
        var economic = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(full), "--catalog", _files.Catalog(["organization_member_roles"])]);

        Assert.Equal(0, fallback.ExitCode);
        Assert.Contains(fallback.OfType("LOG"), l => l.GetProperty("log").GetProperty("message").GetString()!.Contains("read:roles", StringComparison.Ordinal));
        Assert.Equal(30, tenant.Server.LogEntries.Count(e => e.RequestMessage?.Path?.EndsWith("/roles", StringComparison.Ordinal) == true && e.RequestMessage.Path.Contains("/members/", StringComparison.Ordinal)));
        Assert.Equal(RoleKeys(economic), RoleKeys(fallback));
        Assert.NotEmpty(RoleKeys(fallback));
    }

    [Fact]
    public async Task Members_of_many_organizations_are_read_concurrently_and_completely()
    {
        // With latency, requests of different organizations overlap: several are in flight at once.
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 3_000, Organizations = 40, MembersPerOrganization = 150, Latency = TimeSpan.FromMilliseconds(20) });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant, """, "max_concurrency": 8"""), "--catalog", _files.Catalog(["organization_members"])]);

        Assert.Equal(0, run.ExitCode);
        Assert.InRange(tenant.MaxInFlight, 2, 8);
        var expected = tenant.Organizations.SelectMany(o => tenant.MembersOf((string)o["id"]!).Select(m => $"{o["id"]}/{m["user_id"]}")).Order().ToList();
        Assert.Equal(expected, run.Records("organization_members").Select(r => $"{r.GetProperty("org_id").GetString()}/{r.GetProperty("user_id").GetString()}").Order());
    }

    [Fact]
    public async Task Users_range_planning_and_reading_never_exceed_max_concurrency()
    {
        // Large enough to be cut into ranges by count queries; with latency, overlapping requests are seen.
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 12_000, Organizations = 0, Latency = TimeSpan.FromMilliseconds(20) });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant, """, "max_concurrency": 3"""), "--catalog", _files.Catalog(["users"])]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(12_000, run.Records("users").Select(r => r.GetProperty("user_id").GetString()).Distinct().Count());
        Assert.Contains(run.OfType("LOG"), l => l.GetProperty("log").GetProperty("message").GetString()!.Contains(" ranges, read 3 at a time", StringComparison.Ordinal));
        Assert.InRange(tenant.MaxInFlight, 2, 3);
    }

    [Fact]
    public async Task Waiting_for_the_rate_limit_is_announced_as_RATE_LIMITED()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 700, Organizations = 0, RateLimitBucket = 2, RateLimitRefillPerSecond = 2 });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["users"])]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(700, run.Records("users").Select(r => r.GetProperty("user_id").GetString()).Distinct().Count());
        var limited = run.OfType("TRACE").Select(t => t.GetProperty("trace")).Where(t => t.GetProperty("type").GetString() == "STREAM_STATUS")
            .Select(t => t.GetProperty("stream_status")).Where(s => s.TryGetProperty("reasons", out _)).ToList();
        // One notice per 10 s of waiting at most: a slow machine may see more than one.
        Assert.NotEmpty(limited);
        foreach (var notice in limited)
        {
            var reason = Assert.Single(notice.GetProperty("reasons").EnumerateArray());
            Assert.Equal("RATE_LIMITED", reason.GetProperty("type").GetString());
            Assert.True(reason.GetProperty("rate_limited").GetProperty("quota_reset").GetInt64() > 1_600_000_000_000);
        }
        Assert.Contains(run.OfType("LOG"), l => l.GetProperty("log").GetProperty("message").GetString()!.Contains("rate limit", StringComparison.Ordinal));
        // How few 429s the gate lets through is measured by bench/run.sh ratelimit (real clock, noisy
        // machines) and asserted on a fake clock in RateGateTests, not here.
    }

    public void Dispose() => _files.Dispose();
}
