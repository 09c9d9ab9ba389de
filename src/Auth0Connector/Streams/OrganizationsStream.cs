using System.Runtime.CompilerServices;
using System.Text.Json;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams;

/// <summary>Organizations (<c>GET /api/v2/organizations</c>), checkpoint-paged so any count is reachable.</summary>
internal sealed class OrganizationsStream : IAuth0Stream
{
    public string Name => "organizations";

    public IReadOnlyList<string> PrimaryKey { get; } = ["id"];

    public string? CursorField => null;

    public string RequiredScope => "read:organizations";

    public string Endpoint => "GET /api/v2/organizations";

    public void ValidateState(JsonElement state, DateTimeOffset now)
    {
    }

    public async IAsyncEnumerable<StreamItem> ReadAsync(StreamContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var page in ListAsync(context, cancellationToken))
        {
            yield return StreamItem.Of(page);
        }
    }

    /// <summary>Every organization of the tenant, page by page.</summary>
    public static IAsyncEnumerable<JsonPage> ListAsync(StreamContext context, CancellationToken cancellationToken) =>
        Paginators.CheckpointAsync(context.Api, "organizations", "organizations", context.PageSize, cancellationToken);

    /// <summary>The ids of every organization, read lazily page by page: the parents of the member streams.</summary>
    public static async IAsyncEnumerable<string> ListIdsAsync(StreamContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var organization in Paginators.RecordsAsync(ListAsync(context, cancellationToken)))
        {
            if (organization.StringProperty("id") is { } id)
            {
                yield return id;
            }
        }
    }
}
