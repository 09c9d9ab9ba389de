namespace Auth0Connector.Streams.Definitions;

/// <summary>
/// The groups every role is assigned to, each row tagged with its <c>role_id</c>: with <c>group_members</c>, who holds
/// a role through a group. Checkpoint-paged (the endpoint has no offset paging).
/// </summary>
internal static class RoleGroups
{
    public static readonly StreamDefinition Definition = new()
    {
        Name = "role_groups",
        PrimaryKey = ["role_id", "id"],
        Scopes = ["read:roles", "read:groups"],
        Path = "roles/{id}/groups",
        RecordsProperty = "groups",
        Paginator = PaginatorKind.Checkpoint,
        Parent = new(Roles.Definition, ParentKey: "id", AddedField: "role_id"),
    };
}
