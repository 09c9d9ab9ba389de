using System.Text.Json.Nodes;
using Auth0Connector.FakeTenant;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Streams;

/// <summary>The <c>roles</c> stream: the role catalog, offset-paged.</summary>
public class RolesStreamTests : IDisposable
{
    private readonly TempFiles _files = new();

    [Fact]
    public async Task Read_CatalogAcrossSeveralPages_EmitsEveryRoleOnceUnchanged()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 20, Organizations = 1, MembersPerOrganization = 2, Roles = 250 });

        var run = await _files.ReadAsync(tenant, ["roles"]);

        StreamChecks.AssertComplete(run, tenant, "roles");
        var records = run.Records("roles").ToList();
        Assert.Equal(tenant.RoleCatalog.Select(r => (string)r["id"]!).Order(StringComparer.Ordinal), records.Select(r => r.GetProperty("id").GetString()).Order(StringComparer.Ordinal));
        StreamChecks.AssertPassedThrough(records, tenant.RoleCatalog, r => (string)r["id"]!);
        StreamChecks.AssertFitTheSchema("roles", records);

        // 100, 100, 50: the short third page ends the listing.
        Assert.Equal(
            ["/api/v2/roles?page=0&per_page=100&include_totals=true", "/api/v2/roles?page=1&per_page=100&include_totals=true", "/api/v2/roles?page=2&per_page=100&include_totals=true"],
            StreamChecks.Requests(tenant, "/api/v2/roles"));
    }

    [Fact]
    public Task ReadAndCheck_WithoutReadRoles_StreamIsIncompleteAndBothNameTheScope() =>
        _files.AssertMissingScopeAsync("roles", ["read:roles"], "read:roles");

    public void Dispose() => _files.Dispose();
}
