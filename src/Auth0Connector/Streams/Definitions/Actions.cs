namespace Auth0Connector.Streams.Definitions;

/// <summary>
/// Actions, offset-paged: the answer is always <c>{actions, total, per_page}</c>, so no
/// <c>include_totals</c> (which the endpoint does not declare) is sent. Check probes it with a
/// one-row page (the endpoint takes no <c>fields</c>).
/// </summary>
internal static class Actions
{
    public static readonly StreamDefinition Definition = new()
    {
        Name = "actions",
        PrimaryKey = ["id"],
        Scopes = ["read:actions"],
        Path = "actions/actions",
        RecordsProperty = "actions",
        Paginator = PaginatorKind.Offset,
        AsksTotals = false,
    };
}
