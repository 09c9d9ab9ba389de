using System.Runtime.CompilerServices;
using System.Text.Json;
using Auth0Connector.Http;

namespace Auth0Connector.Streams;

/// <summary>Applications (<c>GET /api/v2/clients</c>), offset-paged; checkpoint-paged when a tenant has more than 1000.</summary>
internal sealed class ClientsStream : IAuth0Stream
{
    public string Name => "clients";

    public IReadOnlyList<string> PrimaryKey { get; } = ["client_id"];

    public string? CursorField => null;

    public string RequiredScope => "read:clients";

    public string Endpoint => "GET /api/v2/clients";

    public void ValidateState(JsonElement state, DateTimeOffset now)
    {
    }

    public async IAsyncEnumerable<StreamItem> ReadAsync(StreamContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // One cheap request tells whether offset paging can reach every client.
        long? total;
        using (var probe = await context.Api.GetJsonAsync("clients?page=0&per_page=1&include_totals=true&fields=client_id&include_fields=true", cancellationToken))
        {
            total = Paginators.TotalOf(probe.RootElement);
        }

        var pages = total > Paginators.OffsetReach(context.PageSize.Value)
            ? Paginators.CheckpointAsync(context.Api, "clients", "clients", context.PageSize, cancellationToken)
            : Paginators.OffsetAsync(context.Api, "clients", "clients", context.PageSize, cancellationToken);
        await foreach (var page in pages)
        {
            yield return StreamItem.Of(page);
        }
    }
}
