using Auth0Connector.FakeTenant;
using Auth0Connector.Tests.Support;
using Xunit.Abstractions;

namespace Auth0Connector.Tests.Streams;

/// <summary>
/// A tenant that serves fewer items per page than asked, and says nothing: every listing ends on the server's own
/// signal (its total, no next, an empty page), so a full read loses nothing, and the size it really serves is learnt.
/// </summary>
public class SilentPageCapTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFiles _files = new();

    /// <summary>The tenant: 2,600 users, 120 clients, 180 invitations, and every other listing past 50 where the fake allows.</summary>
    private static FakeTenantOptions Tenant(int? cap) => new()
    {
        Users = 2_600,
        Clients = 120,
        Organizations = 3,
        InvitationsPerOrganization = 60,
        MembersPerOrganization = 120,
        ConnectionsPerOrganization = 6,
        Roles = 60,
        UsersPerRole = 70,
        PermissionsPerRole = 11,
        Connections = 120,
        ClientGrants = 120,
        Actions = 120,
        ResourceServers = 60,
        Logs = 300,
        SilentPageCap = cap,
    };

    [Fact]
    public async Task Read_EveryStreamOnATenantCappingPagesAt50_DeliversWhatAnUncappedReadDelivers()
    {
        using var capped = FakeTenant.FakeTenant.Start(Tenant(cap: 50));
        using var uncapped = FakeTenant.FakeTenant.Start(Tenant(cap: null));

        var cappedRun = await ConnectorRun.InvokeAsync(["read", "--debug", "--config", _files.ClientCredentialsConfig(capped), "--catalog", _files.Catalog(TenantFiles.AllStreams, usersFullRefresh: true)]);
        var uncappedRun = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(uncapped), "--catalog", _files.Catalog(TenantFiles.AllStreams, usersFullRefresh: true)]);

        Assert.Equal(0, cappedRun.ExitCode);
        Assert.Equal(0, uncappedRun.ExitCode);
        foreach (var stream in TenantFiles.AllStreams)
        {
            var (inCapped, inUncapped) = (cappedRun.Records(stream).Count(), uncappedRun.Records(stream).Count());
            output.WriteLine($"{stream}: capped {inCapped}, uncapped {inUncapped}");
            Assert.True(inCapped == inUncapped, $"{stream}: {inCapped} records with pages capped at 50, {inUncapped} without");
            Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], cappedRun.Statuses(stream));
        }

        // The figures, each read whole, each record once.
        Assert.Equal(capped.UserIds.Order(StringComparer.Ordinal), cappedRun.Records("users").Select(r => r.GetProperty("user_id").GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal(120, cappedRun.Records("clients").Select(r => r.GetProperty("client_id").GetString()).Distinct().Count());
        Assert.Equal(180, cappedRun.Records("organization_invitations").Select(r => r.GetProperty("id").GetString()).Distinct().Count());
        Assert.Equal(3 * 120, cappedRun.Records("organization_members").Count());
        // Said once, in the LOG and with --debug; no stream short of the tenant's totals.
        Assert.Contains("serves at most 50 per page", cappedRun.Stderr, StringComparison.Ordinal);
        Assert.Single(cappedRun.OfType("LOG"), l => l.GetProperty("log").GetProperty("message").GetString()!.Contains("serves at most 50 per page", StringComparison.Ordinal));
        Assert.DoesNotContain(uncappedRun.OfType("LOG"), l => l.GetProperty("log").GetProperty("message").GetString()!.Contains("page size:", StringComparison.Ordinal));
        foreach (var run in (ConnectorRun[])[cappedRun, uncappedRun])
        {
            Assert.DoesNotContain(run.OfType("LOG"), l => l.GetProperty("log").GetProperty("level").GetString() == "WARN");
        }

        output.WriteLine($"requests: capped {capped.ApiRequestCount}, uncapped {uncapped.ApiRequestCount}");
    }

    [Fact]
    public async Task Read_InvitationsOnACappedTenant_AsksTheServedSizeAfterTheFirstShortPage()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 20, Organizations = 1, MembersPerOrganization = 2, InvitationsPerOrganization = 120, SilentPageCap = 50 });
        var org = (string)tenant.Organizations[0]["id"]!;

        var run = await _files.ReadAsync(tenant, ["organization_invitations"]);

        StreamChecks.AssertComplete(run, tenant, "organization_invitations");
        Assert.Equal(tenant.InvitationsOf(org).Select(i => (string)i["id"]!).Order(StringComparer.Ordinal), run.Records("organization_invitations").Select(r => r.GetProperty("id").GetString()!).Order(StringComparer.Ordinal));
        // No total: 50 of 100 asked may be a cap, so the next page asks 50 (its items prove it), and 20 of 50 is the last.
        Assert.Equal(
            [
                $"/api/v2/organizations/{org}/invitations?page=0&per_page=100&include_totals=true",
                $"/api/v2/organizations/{org}/invitations?page=1&per_page=50&include_totals=true",
                $"/api/v2/organizations/{org}/invitations?page=2&per_page=50&include_totals=true",
            ],
            StreamChecks.Requests(tenant, $"/api/v2/organizations/{org}/invitations"));
    }

    [Fact]
    public async Task Read_UsersOnACappedTenant_WalksOnFromEveryShortPage()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 700, Organizations = 0, SilentPageCap = 30 });

        var run = await _files.ReadAsync(tenant, ["users"], """, "max_concurrency": 1""");

        StreamChecks.AssertComplete(run, tenant, "users");
        Assert.Equal(tenant.UserIds.Order(StringComparer.Ordinal), run.Records("users").Select(r => r.GetProperty("user_id").GetString()!).Order(StringComparer.Ordinal));
        Assert.Contains(run.OfType("LOG"), l => l.GetProperty("log").GetProperty("message").GetString()!.Contains("/api/v2/users answered 30 items where 100 were asked", StringComparison.Ordinal));
        // From the learnt size on, the walk asks 30: a request per 29 users (each page starts at the last one delivered).
        var walk = StreamChecks.Requests(tenant, "/api/v2/users").Where(r => !r.Contains("per_page=1&", StringComparison.Ordinal)).ToList();
        Assert.InRange(walk.Count, 700 / 30, (700 / 29) + 3);
    }

    public void Dispose() => _files.Dispose();
}
