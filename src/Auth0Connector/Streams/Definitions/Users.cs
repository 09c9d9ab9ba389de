using Auth0Connector.Streams.Cursors;

namespace Auth0Connector.Streams.Definitions;

/// <summary>
/// Users, through the search (engine v3), full refresh or incremental on <c>updated_at</c>: the
/// <see cref="UsersCursor"/> reads it (ranges of the updated_at axis walked below the 1000-result
/// cap, a users export for bulk instants), so every user is reachable whatever the tenant's size.
/// </summary>
internal static class Users
{
    public static readonly StreamDefinition Definition = new()
    {
        Name = "users",
        PrimaryKey = ["user_id"],
        Scopes = ["read:users"],
        Path = "users",
        RecordsProperty = "users",
        Paginator = PaginatorKind.Offset,
        Cursor = new UsersCursor(),
        Probe = "users?per_page=1&page=0&search_engine=v3&fields=user_id&include_fields=true",
    };
}
