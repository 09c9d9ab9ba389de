using Auth0Connector.FakeTenant;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Streams;

/// <summary>The <c>organization_connections</c> stream: each organization's enabled connections, offset-paged, tagged with <c>organization_id</c>.</summary>
public class OrganizationConnectionsStreamTests : IDisposable
{
    private readonly TempFiles _files = new();

    private static List<string> Pairs(FakeTenant.FakeTenant tenant) =>
        [.. tenant.Organizations.Select(o => (string)o["id"]!).SelectMany(org => tenant.EnabledConnectionsOf(org).Select(c => $"{org}/{c["connection_id"]}")).Order(StringComparer.Ordinal)];

    private static List<string> Pairs(ConnectorRun run) =>
        [.. run.Records("organization_connections").Select(r => $"{r.GetProperty("organization_id").GetString()}/{r.GetProperty("connection_id").GetString()}").Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Read_ConnectionsAcrossSeveralPages_PassThroughWithTheirOrganizationId()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 20, Organizations = 4, MembersPerOrganization = 2, ConnectionsPerOrganization = 6 });

        var run = await _files.ReadAsync(tenant, ["organization_connections"], """, "page_size": 4""");

        StreamChecks.AssertComplete(run, tenant, "organization_connections");
        Assert.Equal(24, Pairs(tenant).Count);
        Assert.Equal(Pairs(tenant), Pairs(run));
        foreach (var org in tenant.Organizations.Select(o => (string)o["id"]!))
        {
            var records = run.Records("organization_connections").Where(r => r.GetProperty("organization_id").GetString() == org).ToList();
            StreamChecks.AssertPassedThrough(records, tenant.EnabledConnectionsOf(org), c => (string)c["connection_id"]!, ("organization_id", org));

            // 4, then 2 of 6 (limit = items returned, total = 6).
            Assert.Equal(2, StreamChecks.Requests(tenant, $"/api/v2/organizations/{org}/enabled_connections").Count);
        }

        Assert.Contains(run.Records("organization_connections"), r => r.TryGetProperty("custom_field_x", out _));
        StreamChecks.AssertFitTheSchema("organization_connections", run.Records("organization_connections"));
    }

    [Fact]
    public async Task FakeTenant_EnabledConnectionsEndpoint_AnswersAsAuth0Does()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 20, Organizations = 1, MembersPerOrganization = 2, ConnectionsPerOrganization = 3 });
        var org = (string)tenant.Organizations[0]["id"]!;

        // {enabled_connections, start, limit, total}: limit = the items returned, not per_page.
        var (status, body) = await StreamChecks.GetAsync(tenant, $"organizations/{org}/enabled_connections?page=0&per_page=50&include_totals=true");
        Assert.Equal(200, status);
        Assert.Equal(["enabled_connections", "start", "limit", "total"], StreamChecks.Keys(body));
        Assert.Equal((0, 3, 3), ((int)body["start"]!, (int)body["limit"]!, (int)body["total"]!));
        Assert.All(body["enabled_connections"]!.AsArray(), c => Assert.NotNull(c!["connection"]!["strategy"]));
        (status, body) = await StreamChecks.GetAsync(tenant, "organizations/org_gone/enabled_connections?per_page=1");
        Assert.Equal((404, "No organization found by that id or name"), (status, (string?)body["message"]));
        (status, _) = await StreamChecks.GetAsync(tenant, $"organizations/{org}/enabled_connections?per_page=1&fields=connection_id");
        Assert.Equal(400, status);
        (status, body) = await StreamChecks.GetAsync(tenant, $"organizations/{org}/enabled_connections", ["read:organizations"]);
        Assert.Equal(403, status);
        Assert.Contains("read:organization_connections", (string?)body["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_WithEveryScope_ProbesTheOrganizationStreamsWithoutARefusedRequest()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 20, Organizations = 2, MembersPerOrganization = 2 });
        var org = (string)tenant.Organizations[0]["id"]!;

        await _files.AssertCheckSucceedsAsync(tenant);

        Assert.Equal([$"/api/v2/organizations/{org}/enabled_connections?per_page=1&page=0"], StreamChecks.Requests(tenant, $"/api/v2/organizations/{org}/enabled_connections"));
        Assert.Single(StreamChecks.Requests(tenant, $"/api/v2/organizations/{org}/invitations"));
    }

    [Fact]
    public async Task Read_OrganizationDeletedBetweenListingAndConnectionsRead_IsSkippedWithAWarning()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 20, Organizations = 3, MembersPerOrganization = 2, ConnectionsPerOrganization = 3 });
        var gone = (string)tenant.Organizations[2]["id"]!;
        StreamChecks.Vanish(tenant, $"/api/v2/organizations/{gone}/enabled_connections", "No organization found by that id or name");

        var run = await _files.ReadAsync(tenant, ["organization_connections"]);

        StreamChecks.AssertSkippedVanishedParent(run, "organization_connections", gone);
        Assert.Equal(Pairs(tenant).Where(p => !p.StartsWith(gone, StringComparison.Ordinal)), Pairs(run));
        Assert.Equal(6, Pairs(run).Count);
    }

    [Fact]
    public Task ReadAndCheck_WithoutReadOrganizationConnections_StreamIsIncompleteAndBothNameTheScope() =>
        _files.AssertMissingScopeAsync("organization_connections", ["read:organization_connections"], "read:organization_connections");

    public void Dispose() => _files.Dispose();
}
