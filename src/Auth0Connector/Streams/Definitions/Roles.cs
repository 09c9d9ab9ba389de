namespace Auth0Connector.Streams.Definitions;

/// <summary>The tenant's role catalog, offset-paged (no checkpoint paging); the parent of the role streams.</summary>
internal static class Roles
{
    public static readonly StreamDefinition Definition = new()
    {
        Name = "roles",
        PrimaryKey = ["id"],
        Scopes = ["read:roles"],
        Path = "roles",
        RecordsProperty = "roles",
        Paginator = PaginatorKind.Offset,
    };
}
