namespace Auth0Connector.Streams.Definitions;

/// <summary>The connections enabled for every organization, offset-paged, each row tagged with its <c>organization_id</c>.</summary>
internal static class OrganizationConnections
{
    public static readonly StreamDefinition Definition = new()
    {
        Name = "organization_connections",
        PrimaryKey = ["organization_id", "connection_id"],
        Scopes = ["read:organization_connections"],
        Path = "organizations/{id}/enabled_connections",
        RecordsProperty = "enabled_connections",
        Paginator = PaginatorKind.Offset,
        Parent = new(Organizations.Definition, ParentKey: "id", AddedField: "organization_id"),
    };
}
