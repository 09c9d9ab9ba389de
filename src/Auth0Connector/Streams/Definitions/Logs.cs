using Auth0Connector.Streams.Cursors;

namespace Auth0Connector.Streams.Definitions;

/// <summary>Tenant log events, incremental on <c>log_id</c>: checkpoint paging forward from the last event delivered (see <see cref="SequentialIdCursor"/>).</summary>
internal static class Logs
{
    public static readonly StreamDefinition Definition = new()
    {
        Name = "logs",
        PrimaryKey = ["log_id"],
        Scopes = ["read:logs"],
        Path = "logs",
        RecordsProperty = null,
        Paginator = PaginatorKind.Checkpoint,
        // check: one search-mode row, only its key (documented parameters; `take` without `from` is not).
        Probe = "logs?per_page=1&page=0&fields=log_id&include_fields=true",
        Cursor = new SequentialIdCursor(stream: "logs", idField: "log_id", dateField: "date"),
    };
}
