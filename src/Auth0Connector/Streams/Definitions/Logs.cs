using Auth0Connector.Streams.Cursors;

namespace Auth0Connector.Streams.Definitions;

/// <summary>Tenant log events, incremental on <c>log_id</c>: checkpoint paging forward from the last event delivered (see <see cref="SequentialIdCursor"/>).</summary>
internal static class Logs
{
    public static readonly StreamDefinition Definition = new()
    {
        Name = "logs",
        PrimaryKey = ["log_id"],
        Scope = "read:logs",
        Path = "logs",
        RecordsProperty = "logs",
        Paginator = PaginatorKind.Checkpoint,
        Cursor = new SequentialIdCursor(stream: "logs", idField: "log_id", dateField: "date"),
    };
}
