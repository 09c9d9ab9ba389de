namespace Auth0Connector.Streams.Definitions;

/// <summary>
/// The tenant's groups (from directory provisioning), checkpoint-paged so any count is reachable; full refresh only,
/// as the listing cannot be filtered on <c>updated_at</c>. The parent of <c>group_members</c>.
/// </summary>
internal static class Groups
{
    public static readonly StreamDefinition Definition = new()
    {
        Name = "groups",
        PrimaryKey = ["id"],
        Scopes = ["read:groups"],
        Path = "groups",
        RecordsProperty = "groups",
        Paginator = PaginatorKind.Checkpoint,
    };
}
