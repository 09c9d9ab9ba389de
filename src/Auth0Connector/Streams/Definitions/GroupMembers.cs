namespace Auth0Connector.Streams.Definitions;

/// <summary>
/// The members of every group (users and nested groups, <c>member_type</c>), checkpoint-paged, each row tagged with its
/// <c>group_id</c>. Listing the groups needs <c>read:groups</c>, their members <c>read:group_members</c>.
/// </summary>
internal static class GroupMembers
{
    public static readonly StreamDefinition Definition = new()
    {
        Name = "group_members",
        PrimaryKey = ["group_id", "id"],
        Scopes = ["read:groups", "read:group_members"],
        Path = "groups/{id}/members",
        RecordsProperty = "members",
        Paginator = PaginatorKind.Checkpoint,
        Parent = new(Groups.Definition, ParentKey: "id", AddedField: "group_id"),
    };
}
