namespace Auth0Connector.Streams.Definitions;

/// <summary>Members of every organization, checkpoint-paged, each row tagged with its <c>org_id</c>.</summary>
internal static class OrganizationMembers
{
    public static readonly StreamDefinition Definition = new()
    {
        Name = "organization_members",
        PrimaryKey = ["org_id", "user_id"],
        Scopes = ["read:organization_members"],
        Path = "organizations/{id}/members",
        RecordsProperty = "members",
        Paginator = PaginatorKind.Checkpoint,
        Parent = new(Organizations.Definition, ParentKey: "id", AddedField: "org_id"),
    };
}
