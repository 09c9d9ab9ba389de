namespace Auth0Connector.Streams.Definitions;

/// <summary>Organizations, checkpoint-paged so any count is reachable; the parents of the member streams.</summary>
internal static class Organizations
{
    public static readonly StreamDefinition Definition = new()
    {
        Name = "organizations",
        PrimaryKey = ["id"],
        Scopes = ["read:organizations"],
        Path = "organizations",
        RecordsProperty = "organizations",
        Paginator = PaginatorKind.Checkpoint,
    };
}
