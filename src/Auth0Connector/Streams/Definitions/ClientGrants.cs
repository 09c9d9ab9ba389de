namespace Auth0Connector.Streams.Definitions;

/// <summary>Client grants (which application may call which API with which scopes), checkpoint-paged so any count is reachable.</summary>
internal static class ClientGrants
{
    public static readonly StreamDefinition Definition = new()
    {
        Name = "client_grants",
        PrimaryKey = ["id"],
        Scopes = ["read:client_grants"],
        Path = "client-grants",
        RecordsProperty = "client_grants",
        Paginator = PaginatorKind.Checkpoint,
    };
}
