using Auth0Connector.Streams.Cursors;

namespace Auth0Connector.Streams.Definitions;

/// <summary>
/// Daily login and signup counts, one request for a range of days (a bare array, oldest first);
/// incremental on <c>date</c>, re-reading the last synced day, whose row kept changing (see <see cref="DateCursor"/>).
/// </summary>
internal static class StatsDaily
{
    public static readonly StreamDefinition Definition = new()
    {
        Name = "stats_daily",
        PrimaryKey = ["date"],
        Scopes = ["read:stats"],
        Path = "stats/daily",
        RecordsProperty = null,
        Paginator = PaginatorKind.Single,
        Cursor = new DateCursor("stats_daily", "date"),
    };
}
