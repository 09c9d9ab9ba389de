using Auth0Connector.Http;

namespace Auth0Connector.Streams.Definitions;

/// <summary>
/// Actions, offset-paged: the answer is always <c>{actions, total, per_page}</c>. The endpoint takes
/// no <c>fields</c>, so check probes it with a one-row page.
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
        Probe = ApiPath.WithQuery("actions/actions", ("per_page", 1), ("page", 0)),
    };
}
