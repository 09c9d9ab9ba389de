using System.Runtime.CompilerServices;
using System.Text.Json;
using Auth0Connector.Http;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams;

/// <summary>
/// Members of every organization, checkpoint-paged, each record tagged with its <c>org_id</c>.
/// Several organizations are read at once (<c>max_concurrency</c>).
/// </summary>
internal sealed class OrganizationMembersStream : IAuth0Stream
{
    public string Name => "organization_members";

    public IReadOnlyList<string> PrimaryKey { get; } = ["org_id", "user_id"];

    public string? CursorField => null;

    public string RequiredScope => "read:organization_members";

    public string Endpoint => "GET /api/v2/organizations/{id}/members";

    public void ValidateState(JsonElement state, DateTimeOffset now)
    {
    }

    public async IAsyncEnumerable<StreamItem> ReadAsync(StreamContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pages = FanOut.PagesAsync(
            OrganizationsStream.ListIdsAsync(context, cancellationToken),
            (orgId, token) => MemberPagesAsync(context, orgId, fields: null, token),
            context.Config.MaxConcurrency,
            cancellationToken);
        await foreach (var page in pages)
        {
            yield return StreamItem.Of(page);
        }
    }

    /// <summary>
    /// An organization's member pages, tagged with its <c>org_id</c>. An organization deleted
    /// between listing and reading (404) has none: it is skipped with a warning.
    /// </summary>
    public static IAsyncEnumerable<JsonPage> MemberPagesAsync(StreamContext context, string orgId, string? fields, CancellationToken cancellationToken)
    {
        var path = ApiPath.WithQuery(ApiPath.Of("organizations", orgId, "members"), ("fields", fields), ("include_fields", fields is null ? null : true));
        return Paginators.OfParentAsync(
            Paginators.CheckpointAsync(context.Api, path, "members", context.PageSize, cancellationToken),
            [new("org_id", orgId)],
            () => context.Messages.Log(LogLevel.Warn, $"Organization {orgId} disappeared while reading its members (HTTP 404); skipped."),
            cancellationToken);
    }
}
