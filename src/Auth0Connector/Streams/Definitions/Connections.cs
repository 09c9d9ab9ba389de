namespace Auth0Connector.Streams.Definitions;

/// <summary>
/// Connections (identity providers), checkpoint-paged: offset paging stops at 1000 results. Their
/// <c>options</c> carry the providers' secrets, passed through as records and never logged.
/// </summary>
internal static class Connections
{
    public static readonly StreamDefinition Definition = new()
    {
        Name = "connections",
        PrimaryKey = ["id"],
        Scopes = ["read:connections"],
        Path = "connections",
        RecordsProperty = "connections",
        Paginator = PaginatorKind.Checkpoint,
    };
}
