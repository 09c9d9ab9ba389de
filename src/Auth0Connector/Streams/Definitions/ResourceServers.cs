namespace Auth0Connector.Streams.Definitions;

/// <summary>The tenant's APIs, offset-paged (the endpoint has no checkpoint paging). HS256 APIs carry their signing secret: data, never logged.</summary>
internal static class ResourceServers
{
    public static readonly StreamDefinition Definition = new()
    {
        Name = "resource_servers",
        PrimaryKey = ["id"],
        Scopes = ["read:resource_servers"],
        Path = "resource-servers",
        RecordsProperty = "resource_servers",
        Paginator = PaginatorKind.Offset,
    };
}
