using System.Text.Json;
using System.Text.Json.Nodes;
using WireMock;

namespace Auth0Connector.FakeTenant;

/// <summary>
/// The role sub-listings (users, permissions) and the organization sub-listings (invitations, enabled
/// connections), as docs/auth0-endpoints.md §2.3, 2.4, 2.13 and 2.14 describe them.
/// </summary>
public sealed partial class FakeTenant
{
    private RoleOrganizationData? _roleOrganizationData;

    /// <summary>Generated on first use, from the users, roles, organizations and clients seeded.</summary>
    private RoleOrganizationData RoleOrganizations => LazyInitializer.EnsureInitialized(
        ref _roleOrganizationData,
        () => RoleOrganizationGenerator.Generate(Options, Volatile.Read(ref _users).ById, _roles, _organizations, _clients));

    /// <summary>The users of a role (<c>{user_id, email, picture, name}</c>), ordered by user_id as served.</summary>
    public IReadOnlyList<JsonObject> UsersOfRole(string roleId) => Lookup(RoleOrganizations.RoleUsers, roleId, "role");

    /// <summary>The permissions of a role as served.</summary>
    public IReadOnlyList<JsonObject> PermissionsOfRole(string roleId) => Lookup(RoleOrganizations.RolePermissions, roleId, "role");

    /// <summary>The invitations of an organization as served (newest first).</summary>
    public IReadOnlyList<JsonObject> InvitationsOf(string orgId) => Lookup(RoleOrganizations.Invitations, orgId, "organization");

    /// <summary>The connections enabled for an organization as served.</summary>
    public IReadOnlyList<JsonObject> EnabledConnectionsOf(string orgId) => Lookup(RoleOrganizations.EnabledConnections, orgId, "organization");

    private static JsonObject[] Lookup(Dictionary<string, JsonObject[]> rows, string id, string kind) =>
        rows.TryGetValue(id, out var found) ? found : throw new KeyNotFoundException($"No {kind} {id}");

    private static void WriteRow(Utf8JsonWriter w, JsonObject row) => row.WriteTo(w);

    private static ResponseMessage RoleNotFound(ApiCall call) =>
        call.Reply(404, Http.ApiError(404, "Not Found", "Role not found."));

    private static ResponseMessage OrganizationNotFound(ApiCall call) =>
        call.Reply(404, Http.ApiError(404, "Not Found", "No organization found by that id or name"));

    /// <summary>403 unless the token has every one of <paramref name="allOf"/> (role users need read:users and read:roles).</summary>
    private static bool RequireAllScopes(ApiCall call, out ResponseMessage error, params string[] allOf)
    {
        error = null!;
        if (allOf.All(call.Scopes.Contains))
        {
            return true;
        }

        error = call.Reply(403, Http.ApiError(403, "Forbidden", "Insufficient scope; expected all of: " + string.Join(", ", allOf) + ".", "insufficient_scope"));
        return false;
    }

    /// <summary>
    /// 400 for a query parameter the endpoint does not declare (its [OAS] parameter list), as Auth0 validates
    /// query strings ("Query validation error: Additional properties not allowed", auth0.net #157; the exact
    /// wording with the name is inferred from the payload variant).
    /// </summary>
    private static bool RequireDeclaredParameters(ApiCall call, out ResponseMessage error, params string[] declared)
    {
        error = null!;
        var unknown = call.Query.Keys.Where(k => !declared.Contains(k, StringComparer.Ordinal)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count == 0)
        {
            return true;
        }

        error = call.Reply(400, Http.BadRequest($"Query validation error: 'Additional properties not allowed: {string.Join(",", unknown)}'."));
        return false;
    }

    /// <summary>Offset paging (1000 cap) or checkpoint paging (<c>take</c>/<c>from</c>, no <c>next</c> on the last page).</summary>
    private ResponseMessage GetRoleUsers(ApiCall call, string roleId)
    {
        if (!RequireAllScopes(call, out var error, "read:users", "read:roles")
            || !RequireDeclaredParameters(call, out error, "per_page", "page", "include_totals", "from", "take"))
        {
            return error;
        }

        if (!RoleOrganizations.RoleUsers.TryGetValue(roleId, out var users))
        {
            return RoleNotFound(call);
        }

        if (IsCheckpoint(call))
        {
            return Checkpoint(call, "users", "rusr:" + roleId, users.Length, i => users[i], WriteRow, nextOnShortLastPage: false);
        }

        // The wire text names the page (auth0-python #277).
        string capMessage = $"Requesting page {call.Query.GetValueOrDefault("page", "0")} exceeds the allowed maximum of 1000 records. To fetch results beyond 1000, use the checkpoint pagination method.";
        return Offset(call, "users", capMessage, users.Length, i => users[i], WriteRow, withLength: false);
    }

    /// <summary>Offset only; <c>{permissions, start, limit, total}</c>. The cap is the general rule (undocumented here).</summary>
    private ResponseMessage GetRolePermissions(ApiCall call, string roleId)
    {
        if (!RequireScope(call, out var error, "read:roles") || !RequireDeclaredParameters(call, out error, "per_page", "page", "include_totals"))
        {
            return error;
        }

        if (!RoleOrganizations.RolePermissions.TryGetValue(roleId, out var permissions))
        {
            return RoleNotFound(call);
        }

        return Offset(call, "permissions", UsersCapMessage, permissions.Length, i => permissions[i], WriteRow, withLength: false);
    }

    /// <summary>Offset only; <c>{invitations, start, limit}</c> with <c>limit</c> = the items returned and no <c>total</c>; 1000 cap.</summary>
    private ResponseMessage GetInvitations(ApiCall call, string orgId)
    {
        var projection = Projection.From(call.Query);
        return OrganizationListing(call, orgId, "read:organization_invitations", RoleOrganizations.Invitations, "invitations", OrganizationsCapMessage, (w, row) => Http.WriteProjected(w, row, projection), withTotal: false, "fields", "include_fields", "sort");
    }

    /// <summary>Offset only; <c>{enabled_connections, start, limit, total}</c> with <c>limit</c> = the items returned.</summary>
    private ResponseMessage GetEnabledConnections(ApiCall call, string orgId) =>
        OrganizationListing(call, orgId, "read:organization_connections", RoleOrganizations.EnabledConnections, "enabled_connections", UsersCapMessage, WriteRow, withTotal: true);

    /// <summary>
    /// One organization's sub-listing: 403 without <paramref name="scope"/>, 400 for a parameter other than the paging
    /// ones and <paramref name="moreParameters"/>, 404 for an unknown organization, else a <see cref="CountedOffset"/> page.
    /// </summary>
    private ResponseMessage OrganizationListing(ApiCall call, string orgId, string scope, Dictionary<string, JsonObject[]> listings, string key, string capMessage, Action<Utf8JsonWriter, JsonObject> write, bool withTotal, params string[] moreParameters)
    {
        if (!RequireScope(call, out var error, scope) || !RequireDeclaredParameters(call, out error, ["page", "per_page", "include_totals", .. moreParameters]))
        {
            return error;
        }

        if (!listings.TryGetValue(orgId, out var rows))
        {
            return OrganizationNotFound(call);
        }

        return TryOffset(call, capMessage, out var page, out error) ? CountedOffset(call, key, page, rows, write, withTotal) : error;
    }

    /// <summary>
    /// An offset page whose envelope's <c>limit</c> is the number of items returned, not <c>per_page</c>
    /// (recorded for invitations and enabled connections); <paramref name="withTotal"/> false: no <c>total</c>.
    /// </summary>
    private ResponseMessage CountedOffset(ApiCall call, string key, OffsetPage page, JsonObject[] rows, Action<Utf8JsonWriter, JsonObject> write, bool withTotal)
    {
        var slice = rows.Skip(page.Page * page.PerPage).Take(page.PerPage).ToArray();
        return call.Reply(200, w =>
        {
            if (page.IncludeTotals)
            {
                w.WriteStartObject();
                w.WritePropertyName(key);
            }

            w.WriteStartArray();
            foreach (var row in slice)
            {
                write(w, row);
            }

            w.WriteEndArray();
            if (page.IncludeTotals)
            {
                w.WriteNumber("start", (long)page.Page * page.PerPage);
                w.WriteNumber("limit", slice.Length);
                if (withTotal)
                {
                    w.WriteNumber("total", Reported(rows.Length));
                }

                w.WriteEndObject();
            }
        });
    }
}
