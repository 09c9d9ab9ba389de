namespace Auth0Connector.Streams.Definitions;

/// <summary>
/// Log streams, one request (a bare array). Their <c>sink</c> carries the destinations' credentials,
/// passed through as records and never logged.
/// </summary>
internal static class LogStreams
{
    public static readonly StreamDefinition Definition = new()
    {
        Name = "log_streams",
        PrimaryKey = ["id"],
        Scopes = ["read:log_streams"],
        Path = "log-streams",
        RecordsProperty = null,
        Paginator = PaginatorKind.Single,
    };
}
