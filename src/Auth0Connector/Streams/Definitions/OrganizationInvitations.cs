namespace Auth0Connector.Streams.Definitions;

/// <summary>
/// The invitations of every organization, offset-paged (the envelope has no <c>total</c>: a page shorter than the tenant serves, or an
/// empty page ends it). Rows already carry their <c>organization_id</c>, so none is added.
/// </summary>
internal static class OrganizationInvitations
{
    public static readonly StreamDefinition Definition = new()
    {
        Name = "organization_invitations",
        PrimaryKey = ["id"],
        Scopes = ["read:organization_invitations"],
        Path = "organizations/{id}/invitations",
        RecordsProperty = "invitations",
        Paginator = PaginatorKind.Offset,
        Parent = new(Organizations.Definition, ParentKey: "id", AddedField: null),
    };
}
