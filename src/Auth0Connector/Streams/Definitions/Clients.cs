namespace Auth0Connector.Streams.Definitions;

/// <summary>Applications: offset-paged, checkpoint-paged when a tenant has more than offset paging reaches.</summary>
internal static class Clients
{
    public static readonly StreamDefinition Definition = new()
    {
        Name = "clients",
        PrimaryKey = ["client_id"],
        Scopes = ["read:clients"],
        Path = "clients",
        RecordsProperty = "clients",
        Paginator = PaginatorKind.OffsetThenCheckpoint,
        Projects = true,
    };
}
