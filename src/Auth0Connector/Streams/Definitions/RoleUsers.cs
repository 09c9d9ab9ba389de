namespace Auth0Connector.Streams.Definitions;

/// <summary>
/// The users of every role, each row tagged with its <c>role_id</c>: "user roles" read per role, so
/// requests grow with the roles, not with the users. Checkpoint-paged: offset paging stops at 1000 users.
/// </summary>
internal static class RoleUsers
{
    public static readonly StreamDefinition Definition = new()
    {
        Name = "role_users",
        PrimaryKey = ["role_id", "user_id"],
        Scopes = ["read:roles", "read:users"],
        Path = "roles/{id}/users",
        RecordsProperty = "users",
        Paginator = PaginatorKind.Checkpoint,
        Parent = new(Roles.Definition, ParentKey: "id", AddedField: "role_id"),
    };
}
