using System.Text.Json;
using Auth0Connector.FakeTenant;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Streams;

/// <summary>organization_members and organization_member_roles read together: one walk of the members listings, the same records as two.</summary>
public class MembersWithRolesTests : IDisposable
{
    private static readonly string[] Both = ["organization_members", "organization_member_roles"];

    private readonly TempFiles _files = new();

    private static List<string> Rows(ConnectorRun run, string stream) =>
        [.. run.Records(stream).Select(r => r.GetRawText()).Order(StringComparer.Ordinal)];

    /// <summary>The 30 members are read whole; member roles alone fails, with one error.</summary>
    private static void AssertMembersCompleteAndOnlyMemberRolesFailed(ConnectorRun run)
    {
        Assert.Equal(1, run.ExitCode);
        Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses("organization_members"));
        Assert.Equal(30, run.Records("organization_members").Count());
        Assert.Equal("INCOMPLETE", run.Statuses("organization_member_roles").Last());
        var error = Assert.Single(run.Errors);
        Assert.Equal("organization_member_roles", error.GetProperty("stream_descriptor").GetProperty("name").GetString());
    }

    private static int MembersRequests(FakeTenant.FakeTenant tenant) =>
        tenant.Server.LogEntries.Count(e => e.RequestMessage?.Path?.EndsWith("/members", StringComparison.Ordinal) == true);

    private async Task<(ConnectorRun Together, ConnectorRun Apart)> ReadBothWaysAsync(FakeTenant.FakeTenant tenant)
    {
        var config = _files.ClientCredentialsConfig(tenant);
        var together = await ConnectorRun.InvokeAsync(["read", "--config", config, "--catalog", _files.Catalog(Both)]);
        var members = await ConnectorRun.InvokeAsync(["read", "--config", config, "--catalog", _files.Catalog(["organization_members"])]);
        var roles = await ConnectorRun.InvokeAsync(["read", "--config", config, "--catalog", _files.Catalog(["organization_member_roles"])]);
        Assert.Equal(0, members.ExitCode);
        Assert.Equal(0, roles.ExitCode);
        return (together, new ConnectorRun { ExitCode = 0, Lines = [.. members.Lines, .. roles.Lines], Stderr = members.Stderr + roles.Stderr });
    }

    [Fact]
    public async Task Read_OfBothStreams_WalksTheMembersOnceWithTheRecordsOfTwoWalks()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 2_500, Organizations = 20, MembersPerOrganization = 100, RolesPerMember = 2 });
        var config = _files.ClientCredentialsConfig(tenant);

        var together = await ConnectorRun.InvokeAsync(["read", "--config", config, "--catalog", _files.Catalog(Both)]);
        var requests = tenant.ApiRequestCount;
        var membersRequests = MembersRequests(tenant);
        var (_, apart) = await ReadBothWaysAsync(tenant);

        Assert.Equal(0, together.ExitCode);
        Assert.Equal(Rows(apart, "organization_members"), Rows(together, "organization_members"));
        Assert.Equal(Rows(apart, "organization_member_roles"), Rows(together, "organization_member_roles"));
        Assert.Equal(2_000, together.Records("organization_members").Count());
        Assert.Equal(4_000, together.Records("organization_member_roles").Count());
        Assert.DoesNotContain(together.Records("organization_members"), r => r.TryGetProperty("roles", out _));
        foreach (var stream in Both)
        {
            Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], together.Statuses(stream));
        }

        // Each organization's 100 members: one page and the empty page its 'next' leads to, once for both streams;
        // plus one member read whole (the unknown-field look), the organizations listing and the role catalog.
        Assert.Equal(20 * 2 + 1, membersRequests);
        Assert.Equal(20 * 2 + 3, requests);
        Assert.True(requests / 20.0 <= 2.15, $"{requests / 20.0:F2} requests per organization");
    }

    [Fact]
    public async Task Read_OfMembersWithAFieldUnknownToTheConnector_WarnsAndWalksTwiceKeepingTheField()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 200, Organizations = 3, MembersPerOrganization = 10, MembersCarryNewField = true });

        var (together, apart) = await ReadBothWaysAsync(tenant);

        Assert.Equal(0, together.ExitCode);
        Assert.All(together.Records("organization_members"), r => Assert.Equal("2024-05-01T10:00:00.000Z", r.GetProperty("joined_at").GetString()));
        Assert.Equal(Rows(apart, "organization_members"), Rows(together, "organization_members"));
        Assert.Equal(Rows(apart, "organization_member_roles"), Rows(together, "organization_member_roles"));
        Assert.Contains(together.OfType("LOG"), l => l.GetProperty("log").GetProperty("level").GetString() == "WARN"
            && l.GetProperty("log").GetProperty("message").GetString()!.Contains("members carry joined_at", StringComparison.Ordinal)
            && l.GetProperty("log").GetProperty("message").GetString()!.Contains("separate walks", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Read_OfBothWhenTheFirstOrganizationHasNoMembers_LooksFurtherAndKeepsTheUnknownField()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 200, Organizations = 3, MembersPerOrganization = 10, MembersCarryNewField = true });
        // The first organization looked at (one member, read whole) has none, as a new organization would.
        var first = tenant.Organizations[0]["id"]!.GetValue<string>();
        tenant.Server.Given(WireMock.RequestBuilders.Request.Create().WithPath($"/api/v2/organizations/{first}/members").UsingGet())
            .AtPriority(1)
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("""{"members":[]}"""));
        var config = _files.ClientCredentialsConfig(tenant);

        var together = await ConnectorRun.InvokeAsync(["read", "--config", config, "--catalog", _files.Catalog(Both)]);

        Assert.Equal(0, together.ExitCode);
        Assert.Equal(20, together.Records("organization_members").Count());
        Assert.DoesNotContain(together.Records("organization_members"), r => r.GetProperty("org_id").GetString() == first);
        Assert.All(together.Records("organization_members"), r => Assert.Equal("2024-05-01T10:00:00.000Z", r.GetProperty("joined_at").GetString()));
    }

    [Fact]
    public async Task Read_OfBothWithoutTheMemberRolesScope_CompletesMembersAndFailsOnlyMemberRoles()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions
        {
            Users = 200,
            Organizations = 3,
            MembersPerOrganization = 10,
            GrantedScopes = [.. FakeTenant.FakeTenant.AllScopes.Except(["read:organization_member_roles"])],
        });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(Both)]);

        AssertMembersCompleteAndOnlyMemberRolesFailed(run);
        Assert.Contains("read:organization_member_roles", Assert.Single(run.Errors).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_OfBothWhenTheTenantRefusesTheToken_FailsBothOnceAndStops()
    {
        using var tenant = SmallTenant.Start("mwr-s3cr3t-1a2b3c4d5e");

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant, clientSecret: "wrong-s3cr3t-9z8y7x6w"), "--catalog", _files.Catalog(["organization_members", "organization_member_roles", "clients"])]);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(2, run.Errors.Count());
        Assert.All(run.Errors, e => Assert.Equal("config_error", e.GetProperty("failure_type").GetString()));
        Assert.Equal(["INCOMPLETE"], run.Statuses("clients"));
        Assert.Equal(1, tenant.TokenAttemptCount);
        run.AssertNoSecrets("wrong-s3cr3t-9z8y7x6w", "mwr-s3cr3t-1a2b3c4d5e");
    }

    [Fact]
    public async Task Read_OfBothWhenTheTenantRefusesRolesTheTokenClaims_WalksApartAndFailsOnlyMemberRoles()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 200, Organizations = 3, MembersPerOrganization = 10 });
        // The token names read:organization_member_roles, yet the tenant refuses roles with the members listing.
        tenant.Server.Given(WireMock.RequestBuilders.Request.Create().WithPath(new WireMock.Matchers.WildcardMatcher("/api/v2/organizations/*/members"))
                .WithParam("fields", new WireMock.Matchers.WildcardMatcher("*roles*")).UsingGet())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(403).WithHeader("Content-Type", "application/json")
                .WithBody("""{"statusCode":403,"error":"Forbidden","message":"Insufficient scope, expected any of: read:organization_member_roles","errorCode":"insufficient_scope"}"""));

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(Both)]);

        AssertMembersCompleteAndOnlyMemberRolesFailed(run);
        Assert.Contains(run.OfType("LOG"), l => l.GetProperty("log").GetProperty("message").GetString()!.Contains("separate walks", StringComparison.Ordinal));
    }

    public void Dispose() => _files.Dispose();
}
