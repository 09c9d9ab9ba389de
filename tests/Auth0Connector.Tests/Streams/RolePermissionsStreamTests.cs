using System.Text.Json;
using Auth0Connector.FakeTenant;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Streams;

/// <summary>The <c>role_permissions</c> stream: each role's permissions, offset-paged, tagged with <c>role_id</c>.</summary>
public class RolePermissionsStreamTests : IDisposable
{
    private readonly TempFiles _files = new();

    private static string Key(string role, string? api, string? permission) => $"{role} {api} {permission}";

    private static List<string> Keys(FakeTenant.FakeTenant tenant) =>
        [.. tenant.RoleCatalog.Select(r => (string)r["id"]!)
            .SelectMany(role => tenant.PermissionsOfRole(role).Select(p => Key(role, (string?)p["resource_server_identifier"], (string?)p["permission_name"])))
            .Order(StringComparer.Ordinal)];

    private static List<string> Keys(ConnectorRun run) =>
        [.. run.Records("role_permissions")
            .Select(r => Key(r.GetProperty("role_id").GetString()!, r.GetProperty("resource_server_identifier").GetString(), r.GetProperty("permission_name").GetString()))
            .Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Read_PermissionsAcrossSeveralPages_PassThroughWithTheirRoleId()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 20, Organizations = 1, MembersPerOrganization = 2, Roles = 5, PermissionsPerRole = 11 });

        var run = await _files.ReadAsync(tenant, ["role_permissions"], """, "page_size": 4""");

        StreamChecks.AssertComplete(run, tenant, "role_permissions");
        Assert.Equal(55, Keys(tenant).Count);
        Assert.Equal(Keys(tenant), Keys(run));
        Assert.Equal(55, Keys(run).Distinct().Count());
        foreach (var role in tenant.RoleCatalog.Select(r => (string)r["id"]!))
        {
            var records = run.Records("role_permissions").Where(r => r.GetProperty("role_id").GetString() == role).ToList();
            StreamChecks.AssertPassedThrough(records, tenant.PermissionsOfRole(role), p => $"{p["resource_server_identifier"]} {p["permission_name"]}", ("role_id", role));

            // 4, 4, 3 of 11: the total reached ends the role's listing.
            Assert.Equal(3, StreamChecks.Requests(tenant, $"/api/v2/roles/{role}/permissions").Count);
        }

        StreamChecks.AssertFitTheSchema("role_permissions", run.Records("role_permissions"));
    }

    [Fact]
    public async Task FakeTenant_RolePermissionsEndpoint_AnswersAsAuth0Does()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 20, Organizations = 1, MembersPerOrganization = 2, Roles = 2, PermissionsPerRole = 11 });
        var role = (string)tenant.RoleCatalog[0]["id"]!;

        var (status, body) = await StreamChecks.GetAsync(tenant, $"roles/{role}/permissions?page=1&per_page=10&include_totals=true");
        Assert.Equal(200, status);
        Assert.Equal(["start", "limit", "permissions", "total"], StreamChecks.Keys(body));
        Assert.Equal((10, 10, 11, 1), ((int)body["start"]!, (int)body["limit"]!, (int)body["total"]!, body["permissions"]!.AsArray().Count));
        Assert.Equal(["permission_name", "description", "resource_server_name", "resource_server_identifier"], StreamChecks.Keys(body["permissions"]![0]!));
        (status, body) = await StreamChecks.GetAsync(tenant, $"roles/{role}/permissions?per_page=1");
        Assert.Equal(JsonValueKind.Array, body.GetValueKind());
        (status, body) = await StreamChecks.GetAsync(tenant, $"roles/{role}/permissions?per_page=101");
        Assert.Equal(400, status);
        Assert.Contains("per_page", (string?)body["message"], StringComparison.Ordinal);
        (status, _) = await StreamChecks.GetAsync(tenant, $"roles/{role}/permissions?per_page=1&fields=permission_name&include_fields=true");
        Assert.Equal(400, status);
        (status, body) = await StreamChecks.GetAsync(tenant, "roles/rol_gone/permissions");
        Assert.Equal((404, "Role not found."), (status, (string?)body["message"]));
        (status, _) = await StreamChecks.GetAsync(tenant, $"roles/{role}/permissions", ["read:users"]);
        Assert.Equal(403, status);
    }

    [Fact]
    public async Task Check_WithEveryScope_ProbesTheRoleStreamsWithoutARefusedRequest()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 20, Organizations = 1, MembersPerOrganization = 2, Roles = 2 });
        var role = (string)tenant.RoleCatalog[0]["id"]!;

        await _files.AssertCheckSucceedsAsync(tenant);

        Assert.Equal([$"/api/v2/roles/{role}/permissions?per_page=1&page=0"], StreamChecks.Requests(tenant, "/api/v2/roles/rol_").Where(r => r.Contains("/permissions", StringComparison.Ordinal)));
        Assert.Equal([$"/api/v2/roles/{role}/users?take=1"], StreamChecks.Requests(tenant, "/api/v2/roles/rol_").Where(r => r.Contains("/users", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Read_RoleDeletedBetweenListingAndPermissionsRead_IsSkippedWithAWarning()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 20, Organizations = 1, MembersPerOrganization = 2, Roles = 4, PermissionsPerRole = 3 });
        var gone = (string)tenant.RoleCatalog[2]["id"]!;
        StreamChecks.Vanish(tenant, $"/api/v2/roles/{gone}/permissions", "Role not found.");

        var run = await _files.ReadAsync(tenant, ["role_permissions"]);

        StreamChecks.AssertSkippedVanishedParent(run, "role_permissions", gone);
        Assert.Equal(Keys(tenant).Where(k => !k.StartsWith(gone, StringComparison.Ordinal)), Keys(run));
        Assert.Equal(9, Keys(run).Count);
    }

    [Fact]
    public Task ReadAndCheck_WithoutReadRoles_StreamIsIncompleteAndBothNameTheScope() =>
        _files.AssertMissingScopeAsync("role_permissions", ["read:roles"], "read:roles");

    public void Dispose() => _files.Dispose();
}
