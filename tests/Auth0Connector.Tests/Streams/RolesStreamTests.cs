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

        // 100, 100, 50: the total reached ends the listing.
        Assert.Equal(
            ["/api/v2/roles?page=0&per_page=100&include_totals=true", "/api/v2/roles?page=1&per_page=100&include_totals=true", "/api/v2/roles?page=2&per_page=100&include_totals=true"],
            StreamChecks.Requests(tenant, "/api/v2/roles"));
    }

    [Fact]
    public async Task Read_MoreRolesThanOffsetPagingReaches_FailsTheRoleStreamsSayingWhy()
    {
        // GET /api/v2/roles has no checkpoint paging: past 1000 the catalog cannot be read whole, nor the roles' children.
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 20, Organizations = 1, MembersPerOrganization = 2, Roles = 1_001, UsersPerRole = 1, PermissionsPerRole = 1 });

        var run = await _files.ReadAsync(tenant, ["roles", "role_permissions", "clients"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(1_000, run.Records("roles").Count());
        foreach (var stream in (string[])["roles", "role_permissions"])
        {
            Assert.Equal("INCOMPLETE", run.Statuses(stream).Last());
            var error = Assert.Single(run.Errors, e => e.GetProperty("stream_descriptor").GetProperty("name").GetString() == stream);
            Assert.Contains("1000", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal("COMPLETE", run.Statuses("clients").Last());
        Assert.DoesNotContain(tenant.Server.LogEntries, e => e.ResponseMessage?.StatusCode is 400);
    }

    [Fact]
    public Task ReadAndCheck_WithoutReadRoles_StreamIsIncompleteAndBothNameTheScope() =>
        _files.AssertMissingScopeAsync("roles", ["read:roles"], "read:roles");

    public void Dispose() => _files.Dispose();
}
