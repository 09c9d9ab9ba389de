using System.Runtime.CompilerServices;
using System.Text.Json;
using Auth0Connector.Http;

namespace Auth0Connector.Streams;

/// <summary>Organizations (<c>GET /api/v2/organizations</c>), checkpoint-paged so any count is reachable.</summary>
internal sealed class OrganizationsStream : IAuth0Stream
{
    public string Name => "organizations";

    public IReadOnlyList<string> PrimaryKey { get; } = ["id"];

    public string? CursorField => null;

    public string RequiredScope => "read:organizations";

    public void ValidateState(JsonElement state)
    {
    }

    public async IAsyncEnumerable<StreamItem> ReadAsync(StreamContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var organization in ListAsync(context, cancellationToken))
        {
            yield return StreamItem.Of(organization);
        }
    }

    /// <summary>Every organization of the tenant; the parent listing of the member streams.</summary>
    public static IAsyncEnumerable<JsonElement> ListAsync(StreamContext context, CancellationToken cancellationToken) =>
        Paginators.CheckpointAsync(context.Api, "organizations", "organizations", context.PageSize, cancellationToken);

    /// <summary>The ids of every organization, read lazily page by page.</summary>
    public static async IAsyncEnumerable<string> ListIdsAsync(StreamContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var organization in ListAsync(context, cancellationToken))
        {
            if (organization.ValueKind == JsonValueKind.Object
                && organization.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
            {
                yield return id.GetString()!;
            }
        }
    }
}
