using System.Text.Json.Nodes;
using Auth0Connector.FakeTenant;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Streams;

/// <summary>
/// The group streams: <c>groups</c>, each group's members (<c>group_members</c>, tagged with <c>group_id</c>) and each
/// role's groups (<c>role_groups</c>, tagged with <c>role_id</c>), all checkpoint-paged; a tenant without groups.
/// </summary>
public class GroupsStreamTests : IDisposable
{
    private readonly TempFiles _files = new();

    private static string Id(JsonNode row) => (string)row["id"]!;

    /// <summary>Each parent's rows are exactly what the tenant serves for it, untouched but for the parent's id in <paramref name="parentField"/>.</summary>
    private static void AssertEachParentsRows(List<System.Text.Json.JsonElement> records, string parentField, List<string> parents, Func<string, IReadOnlyList<JsonObject>> served)
    {
        foreach (var parent in parents)
        {
            var mine = records.Where(r => r.GetProperty(parentField).GetString() == parent).ToList();
            Assert.Equal(served(parent).Select(Id).Order(StringComparer.Ordinal), mine.Select(r => r.GetProperty("id").GetString()!).Order(StringComparer.Ordinal));
            StreamChecks.AssertPassedThrough(mine, served(parent), Id, (parentField, parent));
        }
    }

    [Fact]
    public async Task Read_MoreGroupsThanOffsetPagingReaches_ReadsEveryGroupByCheckpointPaging()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 50, Organizations = 1, MembersPerOrganization = 2, Roles = 2, Groups = 1_234, MembersPerGroup = 0 });

        var run = await _files.ReadAsync(tenant, ["groups"]);

        StreamChecks.AssertComplete(run, tenant, "groups");
        Assert.Equal(1_234, tenant.Groups.Count);
        StreamChecks.AssertExactly(run, "groups", tenant.Groups, "id");

        // Offset paging stops at 1000; checkpoint paging reads 13 pages of 100, the last without a next.
        var queries = StreamChecks.QueriesTo(tenant, "/api/v2/groups");
        Assert.Equal(13, queries.Count);
        Assert.All(queries, q => Assert.Contains("take=100", q, StringComparison.Ordinal));
        Assert.DoesNotContain(queries, q => q.Contains("page=", StringComparison.Ordinal));
        Assert.Equal(12, queries.Count(q => q.Contains("from=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Read_GroupWithMoreMembersThanAPage_ReadsEveryMemberWithItsGroupId()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 1_500, Organizations = 1, MembersPerOrganization = 2, Roles = 2, Groups = 3, MembersPerGroup = 7, MembersInFirstGroup = 1_050 });
        var groups = tenant.Groups.Select(Id).ToList();

        var run = await _files.ReadAsync(tenant, ["group_members"]);

        StreamChecks.AssertComplete(run, tenant, "group_members");
        var records = run.Records("group_members").ToList();
        Assert.Equal(1_050 + 7 + 8, records.Count);
        AssertEachParentsRows(records, "group_id", groups, tenant.MembersOfGroup);

        // The third group has the first as a member: a nested group, not a user.
        var nested = Assert.Single(records, r => r.GetProperty("member_type").GetString() == "group");
        Assert.Equal((groups[2], groups[0]), (nested.GetProperty("group_id").GetString(), nested.GetProperty("id").GetString()));
        StreamChecks.AssertFitTheSchema("group_members", records);

        // 1,050 members: 11 pages of 100, the last without a next; the groups were listed once.
        Assert.Equal(11, StreamChecks.QueriesTo(tenant, $"/api/v2/groups/{groups[0]}/members").Count);
        Assert.Single(StreamChecks.QueriesTo(tenant, "/api/v2/groups"));
    }

    [Fact]
    public async Task Read_RoleWithMoreGroupsThanAPage_ReadsEveryGroupWithItsRoleId()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 50, Organizations = 1, MembersPerOrganization = 2, Roles = 3, Groups = 260, MembersPerGroup = 0, GroupsPerRole = 4, GroupsOfFirstRole = 250 });
        var roles = tenant.RoleCatalog.Select(Id).ToList();

        var run = await _files.ReadAsync(tenant, ["role_groups"]);

        StreamChecks.AssertComplete(run, tenant, "role_groups");
        var records = run.Records("role_groups").ToList();
        Assert.Equal(250 + 4 + 4, records.Count);
        AssertEachParentsRows(records, "role_id", roles, tenant.GroupsOfRole);

        StreamChecks.AssertFitTheSchema("role_groups", records);
        var queries = StreamChecks.QueriesTo(tenant, $"/api/v2/roles/{roles[0]}/groups");
        Assert.Equal(3, queries.Count);
        Assert.All(queries, q => Assert.StartsWith("take=100", q, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Read_EveryRoleAndGroupStreamTogether_ListsEachParentOnceForItsChildren()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 100, Organizations = 1, MembersPerOrganization = 2, Roles = 4, Groups = 5 });

        var run = await _files.ReadAsync(tenant, ["role_users", "role_permissions", "role_groups", "groups", "group_members"]);

        foreach (var stream in new[] { "role_users", "role_permissions", "role_groups", "groups", "group_members" })
        {
            StreamChecks.AssertComplete(run, tenant, stream);
        }

        StreamChecks.AssertExactly(run, "groups", tenant.Groups, "id");
        Assert.Equal(tenant.RoleCatalog.Sum(r => tenant.GroupsOfRole(Id(r)).Count), run.Records("role_groups").Count());
        Assert.Equal(tenant.Groups.Sum(g => tenant.MembersOfGroup(Id(g)).Count), run.Records("group_members").Count());

        // The role catalog once for its three child streams; the groups once for groups and once for their members.
        Assert.Single(StreamChecks.QueriesTo(tenant, "/api/v2/roles"));
        Assert.Equal(2, StreamChecks.QueriesTo(tenant, "/api/v2/groups").Count);
    }

    [Fact]
    public async Task ReadAndCheck_TenantWithoutGroups_GroupStreamsAreEmptyAndCompleteWithAWarning()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 40, Organizations = 1, MembersPerOrganization = 2, Roles = 3, GroupsFeature = false });
        string[] groupStreams = ["groups", "group_members", "role_groups"];

        var run = await _files.ReadAsync(tenant, [.. groupStreams, "role_users", "clients"]);
        var check = await _files.AssertCheckSucceedsAsync(tenant);

        Assert.True(run.ExitCode == 0, string.Join("; ", run.Errors.Select(e => e.GetRawText())));
        Assert.Empty(run.Errors);
        foreach (var stream in groupStreams)
        {
            Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses(stream));
            Assert.Empty(run.Records(stream));
            Assert.Single(run.States(stream));
            var warning = Assert.Single(StreamChecks.Warnings(run, "the tenant does not have this feature"), w => w.StartsWith($"{stream}: ", StringComparison.Ordinal));
            Assert.Contains("403 feature_not_enabled: This feature is not enabled for this tenant.", warning, StringComparison.Ordinal);
            Assert.DoesNotContain("scope", warning, StringComparison.OrdinalIgnoreCase);
        }

        StreamChecks.AssertComplete(run, tenant, "role_users");
        Assert.Equal(tenant.RoleCatalog.Sum(r => tenant.UsersOfRole(Id(r)).Count), run.Records("role_users").Count());
        Assert.Equal(tenant.Clients.Count, run.Records("clients").Count());

        // check passes, names no scope as missing, and says the groups will be empty.
        var message = check.ConnectionStatus.GetProperty("message").GetString()!;
        Assert.Contains("every stream's scope is granted", message, StringComparison.Ordinal);
        Assert.Contains("/api/v2/groups is not available on this tenant (HTTP 403 feature_not_enabled", message, StringComparison.Ordinal);
        Assert.Contains("/api/v2/roles/{id}/groups is not available on this tenant", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_GroupDeletedBetweenListingAndMembersRead_IsSkippedWithAWarning()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 60, Organizations = 1, MembersPerOrganization = 2, Roles = 2, Groups = 3, MembersPerGroup = 5 });
        var gone = Id(tenant.Groups[1]);
        StreamChecks.Vanish(tenant, $"/api/v2/groups/{gone}/members", "The group does not exist.");

        var run = await _files.ReadAsync(tenant, ["group_members"]);

        StreamChecks.AssertSkippedVanishedParent(run, "group_members", gone);
        Assert.DoesNotContain(run.Records("group_members"), r => r.GetProperty("group_id").GetString() == gone);
        Assert.Equal(tenant.Groups.Where(g => Id(g) != gone).Sum(g => tenant.MembersOfGroup(Id(g)).Count), run.Records("group_members").Count());
    }

    [Fact]
    public Task ReadAndCheck_WithoutReadGroups_GroupsIsIncompleteNamingTheScope() =>
        _files.AssertMissingScopeAsync("groups", ["read:groups"], "read:groups");

    [Theory]
    [InlineData("read:group_members")]
    [InlineData("read:groups")]
    public Task ReadAndCheck_WithoutOneOfItsScopes_GroupMembersIsIncompleteNamingBothScopes(string missing) =>
        _files.AssertMissingScopeAsync("group_members", [missing], "read:groups", "read:group_members");

    [Theory]
    [InlineData("read:roles")]
    [InlineData("read:groups")]
    [InlineData("read:roles", "read:groups")]
    public Task ReadAndCheck_WithoutOneOfItsScopes_RoleGroupsIsIncompleteNamingBothScopes(params string[] missing) =>
        _files.AssertMissingScopeAsync("role_groups", missing, "read:roles", "read:groups");

    [Fact]
    public async Task FakeTenant_GroupEndpoints_AnswerAsAuth0Does()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 30, Organizations = 1, MembersPerOrganization = 2, Roles = 2, Groups = 3, MembersPerGroup = 4 });
        var group = Id(tenant.Groups[0]);
        var role = Id(tenant.RoleCatalog[0]);

        // Groups: offset (bare array, or {start, limit, groups, total}) and checkpoint ({groups, next}); take wins; at most 100.
        var (status, body) = await StreamChecks.GetAsync(tenant, "groups?page=0&per_page=2");
        Assert.Equal((200, 2), (status, body.AsArray().Count));
        (_, body) = await StreamChecks.GetAsync(tenant, "groups?page=0&per_page=2&include_totals=true");
        Assert.Equal(["start", "limit", "groups", "total"], StreamChecks.Keys(body));
        (_, body) = await StreamChecks.GetAsync(tenant, "groups?include_totals=true&per_page=2&take=2");
        Assert.Equal(["groups", "next"], StreamChecks.Keys(body));
        Assert.Matches("^grp_[1-9a-km-zA-HJ-NP-Z]{14,22}$", (string)body["groups"]![0]!["id"]!);
        (_, body) = await StreamChecks.GetAsync(tenant, $"groups?take=2&from={Uri.EscapeDataString((string)body["next"]!)}");
        Assert.Equal(["groups"], StreamChecks.Keys(body));
        (status, _) = await StreamChecks.GetAsync(tenant, "groups?take=101");
        Assert.Equal(400, status);

        // Members: checkpoint only, {members, next}; user members and a 404 for an unknown group.
        (status, body) = await StreamChecks.GetAsync(tenant, $"groups/{group}/members?take=100");
        Assert.Equal(200, status);
        Assert.Equal(["members"], StreamChecks.Keys(body));
        Assert.All(body["members"]!.AsArray(), m => Assert.Equal(["id", "member_type", "type", "connection_id", "created_at"], StreamChecks.Keys(m!)));
        (status, body) = await StreamChecks.GetAsync(tenant, "groups/grp_gone1234567890123456/members?take=1");
        Assert.Equal((404, "The group does not exist."), (status, (string?)body["message"]));
        (status, body) = await StreamChecks.GetAsync(tenant, $"groups/{group}/members?per_page=1");
        Assert.Equal((400, "Query validation error: 'Additional properties not allowed: per_page'."), (status, (string?)body["message"]));

        // Role groups: checkpoint only, both scopes, 404 for an unknown role.
        (status, body) = await StreamChecks.GetAsync(tenant, $"roles/{role}/groups?take=100");
        Assert.Equal(200, status);
        Assert.Equal(["groups"], StreamChecks.Keys(body));
        (status, body) = await StreamChecks.GetAsync(tenant, $"roles/{role}/groups?take=1", ["read:roles"]);
        Assert.Equal((403, "Insufficient scope; expected all of: read:roles, read:groups."), (status, (string?)body["message"]));
        (status, body) = await StreamChecks.GetAsync(tenant, "roles/rol_gone/groups?take=1");
        Assert.Equal((404, "Role not found."), (status, (string?)body["message"]));
        (status, body) = await StreamChecks.GetAsync(tenant, $"groups/{group}/members?take=1", ["read:groups"]);
        Assert.Equal((403, "insufficient_scope"), (status, (string?)body["errorCode"]));

        // A tenant without groups: 403 feature_not_enabled on all three, after the scope check.
        using var without = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 10, Organizations = 1, MembersPerOrganization = 2, Roles = 1, GroupsFeature = false });
        foreach (var path in new[] { "groups?take=1", $"groups/{group}/members?take=1", $"roles/{Id(without.RoleCatalog[0])}/groups?take=1" })
        {
            (status, body) = await StreamChecks.GetAsync(without, path);
            Assert.Equal((403, "feature_not_enabled", "This feature is not enabled for this tenant."), (status, (string?)body["errorCode"], (string?)body["message"]));
        }

        (status, body) = await StreamChecks.GetAsync(without, "groups?take=1", ["read:users"]);
        Assert.Equal((403, "insufficient_scope"), (status, (string?)body["errorCode"]));
    }

    public void Dispose() => _files.Dispose();
}
