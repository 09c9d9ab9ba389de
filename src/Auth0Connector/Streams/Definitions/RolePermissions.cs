namespace Auth0Connector.Streams.Definitions;

/// <summary>The permissions (API identifier and permission name) of every role, offset-paged, each row tagged with its <c>role_id</c>.</summary>
internal static class RolePermissions
{
    public static readonly StreamDefinition Definition = new()
    {
        Name = "role_permissions",
        PrimaryKey = ["role_id", "resource_server_identifier", "permission_name"],
        Scopes = ["read:roles"],
        Path = "roles/{id}/permissions",
        RecordsProperty = "permissions",
        Paginator = PaginatorKind.Offset,
        Parent = new(Roles.Definition, ParentKey: "id", AddedField: "role_id"),
    };
}
