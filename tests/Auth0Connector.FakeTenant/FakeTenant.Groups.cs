using System.Text.Json.Nodes;
using WireMock;

namespace Auth0Connector.FakeTenant;

/// <summary>
/// The group endpoints as docs/auth0-endpoints.md §2.15–2.18 describe them: the groups (offset or checkpoint paging),
/// a group's members and a role's groups (checkpoint only), and a tenant without the feature (403 <c>feature_not_enabled</c>).
/// </summary>
public sealed partial class FakeTenant
{
    private GroupData? _groupData;

    /// <summary>Generated on first use, from the users, roles and connections seeded.</summary>
    private GroupData GroupListings => LazyInitializer.EnsureInitialized(
        ref _groupData,
        () => GroupGenerator.Generate(Options, Volatile.Read(ref _users).ById, _roles, Connections));

    /// <summary>The groups as served, in id order (empty without <see cref="FakeTenantOptions.GroupsFeature"/>).</summary>
    public IReadOnlyList<JsonObject> Groups => Options.GroupsFeature ? GroupListings.Groups : [];

    /// <summary>The members of a group as served (users and nested groups), in id order.</summary>
    public IReadOnlyList<JsonObject> MembersOfGroup(string groupId) => Lookup(GroupListings.Members, groupId, "group");

    /// <summary>The groups a role is assigned to, as served.</summary>
    public IReadOnlyList<JsonObject> GroupsOfRole(string roleId) => Lookup(GroupListings.RoleGroups, roleId, "role");

    /// <summary>Offset (bare array or <c>{groups, start, limit, total}</c>) or checkpoint (<c>{groups, next}</c>); <c>fields</c> projects.</summary>
    private ResponseMessage GetGroups(ApiCall call)
    {
        if (!RequireScope(call, out var error, "read:groups")
            || !RequireDeclaredParameters(call, out error, "connection_id", "name", "external_id", "search", "fields", "include_fields", "page", "per_page", "include_totals", "from", "take")
            || !RequireGroupsFeature(call, out error))
        {
            return error;
        }

        var groups = GroupListings.Groups;
        var projection = Projection.From(call.Query);
        void Write(System.Text.Json.Utf8JsonWriter w, JsonObject g) => Http.WriteProjected(w, g, projection);
        if (IsCheckpoint(call))
        {
            return Checkpoint(call, "groups", "grp", groups.Length, i => groups[i], Write, nextOnShortLastPage: false);
        }

        return Offset(call, "groups", UsersCapMessage, groups.Length, i => groups[i], Write, withLength: false);
    }

    /// <summary>Checkpoint only: <c>{members, next}</c>; 404 "The group does not exist." for an unknown group.</summary>
    private ResponseMessage GetGroupMembers(ApiCall call, string groupId)
    {
        if (!RequireScope(call, out var error, "read:group_members")
            || !RequireDeclaredParameters(call, out error, "fields", "include_fields", "from", "take")
            || !RequireGroupsFeature(call, out error))
        {
            return error;
        }

        if (!GroupListings.Members.TryGetValue(groupId, out var members))
        {
            return call.Reply(404, Http.ApiError(404, "Not Found", "The group does not exist."));
        }

        var projection = Projection.From(call.Query);
        return Checkpoint(call, "members", "gmem:" + groupId, members.Length, i => members[i], (w, m) => Http.WriteProjected(w, m, projection), nextOnShortLastPage: false);
    }

    /// <summary>Checkpoint only: <c>{groups, next}</c>; both scopes (inferred); 404 for an unknown role.</summary>
    private ResponseMessage GetRoleGroups(ApiCall call, string roleId)
    {
        if (!RequireAllScopes(call, out var error, "read:roles", "read:groups")
            || !RequireDeclaredParameters(call, out error, "from", "take")
            || !RequireGroupsFeature(call, out error))
        {
            return error;
        }

        if (!GroupListings.RoleGroups.TryGetValue(roleId, out var groups))
        {
            return RoleNotFound(call);
        }

        return Checkpoint(call, "groups", "rgrp:" + roleId, groups.Length, i => groups[i], WriteRow, nextOnShortLastPage: false);
    }

    /// <summary>403 <c>feature_not_enabled</c> on a tenant without groups.</summary>
    private bool RequireGroupsFeature(ApiCall call, out ResponseMessage error)
    {
        error = null!;
        if (Options.GroupsFeature)
        {
            return true;
        }

        error = call.Reply(403, Http.ApiError(403, "Forbidden", "This feature is not enabled for this tenant.", "feature_not_enabled"));
        return false;
    }
}
