using System.Text.Json.Nodes;
using Auth0Connector.FakeTenant;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Streams;

/// <summary>The <c>role_users</c> stream: each role's users, checkpoint-paged, tagged with <c>role_id</c>.</summary>
public class RoleUsersStreamTests : IDisposable
{
    private readonly TempFiles _files = new();

    private static List<string> Pairs(FakeTenant.FakeTenant tenant) =>
        [.. tenant.RoleCatalog.Select(r => (string)r["id"]!).SelectMany(role => tenant.UsersOfRole(role).Select(u => $"{role}/{u["user_id"]}")).Order(StringComparer.Ordinal)];

    private static List<string> Pairs(ConnectorRun run) =>
        [.. run.Records("role_users").Select(r => $"{r.GetProperty("role_id").GetString()}/{r.GetProperty("user_id").GetString()}").Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Read_RoleWithMoreThan1000Users_ReadsEveryUserByCheckpointPaging()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 1_500, Organizations = 1, MembersPerOrganization = 2, Roles = 3, UsersInFirstRole = 1_234 });
        var large = (string)tenant.RoleCatalog[0]["id"]!;

        var run = await _files.ReadAsync(tenant, ["role_users"]);

        StreamChecks.AssertComplete(run, tenant, "role_users");
        Assert.Equal(1_234, tenant.UsersOfRole(large).Count);
        Assert.Equal(1_254, Pairs(tenant).Count);
        Assert.Equal(Pairs(tenant), Pairs(run));

        // Offset paging would be refused at the 11th page of 100; checkpoint paging reads 13 pages, the last without a next.
        var requests = StreamChecks.Requests(tenant, $"/api/v2/roles/{large}/users");
        Assert.Equal(13, requests.Count);
        Assert.All(requests, r => Assert.Contains("take=100", r, StringComparison.Ordinal));
        Assert.DoesNotContain(requests, r => r.Contains("page=", StringComparison.Ordinal));
        Assert.Equal(12, requests.Count(r => r.Contains("from=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Read_UsersAcrossSeveralPages_PassThroughWithTheirRoleId()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 200, Organizations = 1, MembersPerOrganization = 2, Roles = 4, UsersPerRole = 25 });

        var run = await _files.ReadAsync(tenant, ["role_users"], """, "page_size": 7""");

        StreamChecks.AssertComplete(run, tenant, "role_users");
        Assert.Equal(100, Pairs(tenant).Count);
        Assert.Equal(Pairs(tenant), Pairs(run));
        foreach (var role in tenant.RoleCatalog.Select(r => (string)r["id"]!))
        {
            var records = run.Records("role_users").Where(r => r.GetProperty("role_id").GetString() == role).ToList();
            StreamChecks.AssertPassedThrough(records, tenant.UsersOfRole(role), u => (string)u["user_id"]!, ("role_id", role));
            Assert.Equal(4, StreamChecks.Requests(tenant, $"/api/v2/roles/{role}/users").Count);
        }

        StreamChecks.AssertFitTheSchema("role_users", run.Records("role_users"));
    }

    [Fact]
    public async Task Read_ManyUsersFewRoles_RequestsGrowWithTheRolesNotTheUsers()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 5_000, Organizations = 1, MembersPerOrganization = 2, Roles = 4, UsersPerRole = 30 });

        var run = await _files.ReadAsync(tenant, ["role_users"]);

        StreamChecks.AssertComplete(run, tenant, "role_users");
        Assert.Equal(Pairs(tenant), Pairs(run));

        // One page of roles, one page of users per role: 5 requests for 5,000 users (one per user would be 5,000).
        Assert.Equal(5, tenant.ApiRequestCount);
    }

    [Fact]
    public async Task FakeTenant_RoleUsersEndpoint_AnswersAsAuth0Does()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 1_100, Organizations = 1, MembersPerOrganization = 2, Roles = 2, UsersInFirstRole = 1_050 });
        var role = (string)tenant.RoleCatalog[0]["id"]!;

        // Offset: {users, start, limit, total}; the 1000 cap names the page.
        var (status, body) = await StreamChecks.GetAsync(tenant, $"roles/{role}/users?page=9&per_page=100&include_totals=true");
        Assert.Equal(200, status);
        Assert.Equal(["start", "limit", "users", "total"], StreamChecks.Keys(body));
        Assert.Equal(1_050, (int)body["total"]!);
        (status, body) = await StreamChecks.GetAsync(tenant, $"roles/{role}/users?page=10&per_page=100&include_totals=true");
        Assert.Equal(400, status);
        Assert.Equal("Requesting page 10 exceeds the allowed maximum of 1000 records. To fetch results beyond 1000, use the checkpoint pagination method.", (string?)body["message"]);
        Assert.Equal("invalid_paging", (string?)body["errorCode"]);

        // Checkpoint: {users, next}, no next on the last page; take wins over page/include_totals.
        (status, body) = await StreamChecks.GetAsync(tenant, $"roles/{role}/users?include_totals=true&per_page=50&take=1000");
        Assert.Equal(400, status);
        (status, body) = await StreamChecks.GetAsync(tenant, $"roles/{role}/users?include_totals=true&per_page=50&take=100");
        Assert.Equal(["users", "next"], StreamChecks.Keys(body));
        var next = (string)body["next"]!;
        for (var page = 1; page < 10; page++)
        {
            (_, body) = await StreamChecks.GetAsync(tenant, $"roles/{role}/users?take=100&from={Uri.EscapeDataString(next)}");
            next = (string)body["next"]!;
        }

        (status, body) = await StreamChecks.GetAsync(tenant, $"roles/{role}/users?take=100&from={Uri.EscapeDataString(next)}");
        Assert.Equal(["users"], StreamChecks.Keys(body));
        Assert.Equal(50, body["users"]!.AsArray().Count);

        // Both scopes, a vanished role, an undeclared parameter.
        (status, body) = await StreamChecks.GetAsync(tenant, $"roles/{role}/users?take=1", ["read:roles"]);
        Assert.Equal(403, status);
        Assert.Equal("Insufficient scope; expected all of: read:users, read:roles.", (string?)body["message"]);
        (status, body) = await StreamChecks.GetAsync(tenant, "roles/rol_gone/users?take=1");
        Assert.Equal((404, "Role not found."), (status, (string?)body["message"]));
        (status, body) = await StreamChecks.GetAsync(tenant, $"roles/{role}/users?per_page=1&fields=user_id");
        Assert.Equal((400, "Query validation error: 'Additional properties not allowed: fields'."), (status, (string?)body["message"]));
    }

    [Fact]
    public async Task Read_RoleDeletedBetweenListingAndUsersRead_IsSkippedWithAWarning()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 100, Organizations = 1, MembersPerOrganization = 2, Roles = 3, UsersPerRole = 10 });
        var gone = (string)tenant.RoleCatalog[1]["id"]!;
        StreamChecks.Vanish(tenant, $"/api/v2/roles/{gone}/users", "Role not found.");

        var run = await _files.ReadAsync(tenant, ["role_users"]);

        StreamChecks.AssertSkippedVanishedParent(run, "role_users", gone);
        Assert.Equal(Pairs(tenant).Where(p => !p.StartsWith(gone, StringComparison.Ordinal)), Pairs(run));
        Assert.Equal(20, Pairs(run).Count);
    }

    [Theory]
    [InlineData("read:users")]
    [InlineData("read:roles")]
    [InlineData("read:users", "read:roles")]
    public Task ReadAndCheck_WithoutOneOfItsScopes_StreamIsIncompleteNamingBothScopesAndCheckTheMissingOne(params string[] missing) =>
        _files.AssertMissingScopeAsync("role_users", missing, "read:roles", "read:users");

    public void Dispose() => _files.Dispose();
}
