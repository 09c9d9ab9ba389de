using Auth0Connector.Streams.Retrievers;

namespace Auth0Connector.Streams.Definitions;

/// <summary>
/// The roles of every organization member, tagged with <c>org_id</c> and <c>user_id</c>: read with
/// the members listing and the role catalog where the scopes allow, per member otherwise (its
/// retriever); read together with <c>organization_members</c>, one walk serves both.
/// </summary>
internal static class OrganizationMemberRoles
{
    public static readonly StreamDefinition Definition = new()
    {
        Name = "organization_member_roles",
        PrimaryKey = ["org_id", "user_id", "id"],
        Scopes = ["read:organization_member_roles"],
        Path = "organizations/{id}/members/{user_id}/roles",
        RecordsProperty = "roles",
        Paginator = PaginatorKind.Offset,
        Retriever = new MemberRolesRetriever(),
    };
}
