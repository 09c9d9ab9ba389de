using System.Text.Json.Nodes;
using Auth0Connector.FakeTenant;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Streams;

/// <summary>
/// The <c>organization_invitations</c> stream: each organization's invitations, offset-paged without a
/// <c>total</c> (a short or empty page ends a listing); rows carry their own <c>organization_id</c>.
/// </summary>
public class OrganizationInvitationsStreamTests : IDisposable
{
    private readonly TempFiles _files = new();

    private static List<string> Ids(FakeTenant.FakeTenant tenant) =>
        [.. tenant.Organizations.SelectMany(o => tenant.InvitationsOf((string)o["id"]!)).Select(i => (string)i["id"]!).Order(StringComparer.Ordinal)];

    private static List<string> Ids(ConnectorRun run) =>
        [.. run.Records("organization_invitations").Select(r => r.GetProperty("id").GetString()!).Order(StringComparer.Ordinal)];

    [Theory]
    [InlineData(250, 3)] // 100, 100, 50: shorter than a page the tenant served, the last
    [InlineData(200, 3)] // 100, 100, then an empty page ends it (no total to stop at)
    [InlineData(0, 1)]
    public async Task Read_InvitationsAcrossPagesWithoutATotal_EmitsEachOnceUnchanged(int perOrganization, int requestsPerOrganization)
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 20, Organizations = 3, MembersPerOrganization = 2, InvitationsPerOrganization = perOrganization });

        var run = await _files.ReadAsync(tenant, ["organization_invitations"]);

        StreamChecks.AssertComplete(run, tenant, "organization_invitations");
        Assert.Equal(3 * perOrganization, Ids(tenant).Count);
        Assert.Equal(Ids(tenant), Ids(run));
        Assert.Equal(3 * perOrganization, Ids(run).Distinct().Count());
        var served = tenant.Organizations.SelectMany(o => tenant.InvitationsOf((string)o["id"]!));
        StreamChecks.AssertPassedThrough(run.Records("organization_invitations"), served, i => (string)i["id"]!);
        foreach (var org in tenant.Organizations.Select(o => (string)o["id"]!))
        {
            Assert.Equal(requestsPerOrganization, StreamChecks.Requests(tenant, $"/api/v2/organizations/{org}/invitations").Count);
        }

        // The rows' own organization_id, exactly once per record: the connector adds no second one.
        var lines = run.Lines.Where(l => l.Contains("\"stream\":\"organization_invitations\"", StringComparison.Ordinal)).ToList();
        Assert.All(lines, l => Assert.Single(System.Text.RegularExpressions.Regex.Matches(l, "\"organization_id\":")));
        if (perOrganization > 0)
        {
            Assert.Contains(run.Records("organization_invitations"), r => r.TryGetProperty("custom_field_x", out _));
        }

        StreamChecks.AssertFitTheSchema("organization_invitations", run.Records("organization_invitations"));
    }

    [Fact]
    public async Task Read_OrganizationWithMoreThan1000Invitations_FailsTheStreamNamingTheCapWithoutCrossingIt()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 20, Organizations = 1, MembersPerOrganization = 2, InvitationsPerOrganization = 1_050 });
        var org = (string)tenant.Organizations[0]["id"]!;

        var run = await _files.ReadAsync(tenant, ["organization_invitations"]);

        // No checkpoint paging and no total: the first 1000 are read, then the stream fails instead of asking past the cap.
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("INCOMPLETE", run.Statuses("organization_invitations").Last());
        Assert.Equal(tenant.InvitationsOf(org).Take(1_000).Select(i => (string)i["id"]!).Order(StringComparer.Ordinal), Ids(run));
        var error = Assert.Single(run.Errors);
        Assert.Equal("system_error", error.GetProperty("failure_type").GetString());
        Assert.Contains("1000", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(10, StreamChecks.Requests(tenant, $"/api/v2/organizations/{org}/invitations").Count);
        Assert.DoesNotContain(tenant.Server.LogEntries, e => e.ResponseMessage?.StatusCode is 400);
    }

    [Fact]
    public async Task FakeTenant_InvitationsEndpoint_AnswersAsAuth0Does()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 20, Organizations = 1, MembersPerOrganization = 2, InvitationsPerOrganization = 1_005 });
        var org = (string)tenant.Organizations[0]["id"]!;

        // {invitations, start, limit}: no total, limit = the items returned.
        var (status, body) = await StreamChecks.GetAsync(tenant, $"organizations/{org}/invitations?page=0&per_page=50&include_totals=true&fields=id,organization_id&include_fields=true");
        Assert.Equal(200, status);
        Assert.Equal(["invitations", "start", "limit"], StreamChecks.Keys(body));
        Assert.Equal(["id", "organization_id"], StreamChecks.Keys(body["invitations"]![0]!));
        (status, body) = await StreamChecks.GetAsync(tenant, $"organizations/{org}/invitations?per_page=101");
        Assert.Equal((400, "invalid_query_string"), (status, (string?)body["errorCode"]));
        (_, body) = await StreamChecks.GetAsync(tenant, $"organizations/{org}/invitations?page=9&per_page=100&include_totals=true");
        Assert.Equal((900, 100), ((int)body["start"]!, (int)body["limit"]!));
        (status, body) = await StreamChecks.GetAsync(tenant, $"organizations/{org}/invitations?page=10&per_page=100&include_totals=true");
        Assert.Equal((400, "Requesting page exceeds the allowed maximum of 1000 records"), (status, (string?)body["message"]));
        (status, body) = await StreamChecks.GetAsync(tenant, "organizations/org_gone/invitations?per_page=1");
        Assert.Equal((404, "No organization found by that id or name"), (status, (string?)body["message"]));
        (status, _) = await StreamChecks.GetAsync(tenant, $"organizations/{org}/invitations?take=1");
        Assert.Equal(400, status);
        (status, _) = await StreamChecks.GetAsync(tenant, $"organizations/{org}/invitations", ["read:organizations"]);
        Assert.Equal(403, status);
    }

    [Fact]
    public async Task Read_OrganizationDeletedBetweenListingAndInvitationsRead_IsSkippedWithAWarning()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 20, Organizations = 3, MembersPerOrganization = 2, InvitationsPerOrganization = 5 });
        var gone = (string)tenant.Organizations[0]["id"]!;
        StreamChecks.Vanish(tenant, $"/api/v2/organizations/{gone}/invitations", "No organization found by that id or name");

        var run = await _files.ReadAsync(tenant, ["organization_invitations"]);

        StreamChecks.AssertSkippedVanishedParent(run, "organization_invitations", gone);
        var expected = tenant.Organizations.Skip(1).SelectMany(o => tenant.InvitationsOf((string)o["id"]!)).Select(i => (string)i["id"]!).Order(StringComparer.Ordinal);
        Assert.Equal(expected, Ids(run));
        Assert.Equal(10, Ids(run).Count);
    }

    [Fact]
    public Task ReadAndCheck_WithoutReadOrganizationInvitations_StreamIsIncompleteAndBothNameTheScope() =>
        _files.AssertMissingScopeAsync("organization_invitations", ["read:organization_invitations"], "read:organization_invitations");

    public void Dispose() => _files.Dispose();
}
