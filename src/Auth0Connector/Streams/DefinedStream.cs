using System.Runtime.CompilerServices;
using System.Text.Json;
using Auth0Connector.Foundation;
using Auth0Connector.Http;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams;

/// <summary>Reads any <see cref="StreamDefinition"/>: pages from its paginator, per parent when it has a partition router.</summary>
internal sealed class DefinedStream(StreamDefinition definition) : IAuth0Stream
{
    public StreamDefinition Definition { get; } = definition;

    public string Name => Definition.Name;

    public IReadOnlyList<string> PrimaryKey => Definition.PrimaryKey;

    public string? CursorField => Definition.Cursor?.Field;

    public IReadOnlyList<string> StateFields => Definition.Cursor?.StateFields ?? [];

    public IReadOnlyList<string> RequiredScopes => Definition.Scopes;

    public string Endpoint => Definition.Endpoint;

    /// <summary>A full-refresh stream ignores any saved state; a cursor judges its own.</summary>
    public void ValidateState(JsonElement state) => Definition.Cursor?.ValidateState(state);

    public IAsyncEnumerable<StreamItem> ReadAsync(StreamContext context, CancellationToken cancellationToken) =>
        Definition.Cursor is { } cursor ? cursor.ReadAsync(Definition, context, cancellationToken)
        : Definition.Retriever is { } retriever ? retriever.ReadAsync(Definition, context, cancellationToken)
        : FullRefreshAsync(context, cancellationToken);

    private async IAsyncEnumerable<StreamItem> FullRefreshAsync(StreamContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // What the listings deliver against the totals the tenant reports for them.
        var tally = new ListingTally();
        var pages = Definition.Parent is { } router
            ? FanOut.PagesAsync(IdsAsync(router.Parent, router.ParentKey, context, cancellationToken), (id, token) => ChildPagesAsync(Definition, [Definition.Name], context, id, tally, token), context.Config.MaxConcurrency, cancellationToken)
            : PagesAsync(Definition, Definition.Path, context, cancellationToken, tally);
        RecordField[]? tenant = Definition.TenantField is { } field ? [new(field, context.Config.BaseUri.Host)] : null;

        // A tenant without the feature (groups are Early Access and plan-gated): an empty stream, said once.
        pages = Paginators.UnlessUnavailableAsync(pages, e => context.Messages.Log(LogLevel.Warn, $"{Name}: the tenant does not have this feature, so the stream is empty. {e.Message}"), cancellationToken);
        await foreach (var page in pages)
        {
            if (tenant is not null)
            {
                page.Added = tenant;
            }

            yield return StreamItem.Of(page);
        }

        if (tally.Result is { } reconciliation)
        {
            yield return StreamItem.Reconciled(reconciliation);
        }
    }

    /// <summary>
    /// The pages of <paramref name="path"/> as <paramref name="definition"/>'s paginator reads them; the stream's own
    /// listings count what they deliver against the tenant's totals in <paramref name="tally"/>.
    /// </summary>
    public static IAsyncEnumerable<JsonPage> PagesAsync(StreamDefinition definition, string path, StreamContext context, CancellationToken cancellationToken, ListingTally? tally = null) => definition.Paginator switch
    {
        PaginatorKind.Offset => Paginators.OffsetAsync(context.Api, path, definition.RecordsProperty, context.PageSize, cancellationToken, definition.AsksTotals, tally),
        PaginatorKind.Checkpoint => Paginators.CheckpointAsync(context.Api, path, definition.RecordsProperty, context.PageSize, cancellationToken, tally),
        PaginatorKind.Single => Paginators.SingleAsync(context.Api, path, definition.RecordsProperty, definition.OneObject, cancellationToken),
        _ => OffsetThenCheckpointAsync(definition, path, context, tally, cancellationToken),
    };

    /// <summary>
    /// A child listing of one parent, rows tagged with the parent's id; <paramref name="query"/> adds
    /// parameters (e.g. <c>fields</c>). A parent deleted since it was listed (404) is skipped with a warning.
    /// </summary>
    public static IAsyncEnumerable<JsonPage> ChildPagesAsync(StreamDefinition child, StreamContext context, string parentId, CancellationToken cancellationToken, params (string Name, object? Value)[] query) =>
        ChildPagesAsync(child, [child.Name], context, parentId, null, cancellationToken, query);

    /// <summary>
    /// The same, for a listing read on behalf of <paramref name="readFor"/> (streams served by one walk: each is told of a
    /// vanished parent), counting into <paramref name="tally"/> what it delivers against the tenant's total.
    /// </summary>
    public static IAsyncEnumerable<JsonPage> ChildPagesAsync(StreamDefinition child, IReadOnlyList<string> readFor, StreamContext context, string parentId, ListingTally? tally, CancellationToken cancellationToken, params (string Name, object? Value)[] query)
    {
        var router = child.Parent ?? throw new InvalidOperationException($"{child.Name} has no parent.");
        var path = ApiPath.WithQuery(PathOf(child, parentId), query);
        return Paginators.OfParentAsync(
            PagesAsync(child, path, context, cancellationToken, tally),
            router.AddedField is { } field ? [new(field, parentId)] : [],
            () =>
            {
                foreach (var stream in readFor)
                {
                    context.Messages.Log(LogLevel.Warn, $"{router.Parent.Name}: {parentId} disappeared while reading its {stream} (HTTP 404); skipped.");
                }
            },
            cancellationToken);
    }

    /// <summary>
    /// The cheapest request that proves the stream's scope (check): one record of the listing (of
    /// <paramref name="parentId"/>'s listing, for a child), only its key where the paginator allows.
    /// </summary>
    public static string ProbePath(StreamDefinition definition, string? parentId = null)
    {
        if (definition.Probe is { } probe)
        {
            return Fill(probe, parentId);
        }

        var path = PathOf(definition, parentId);
        return definition.Paginator switch
        {
            PaginatorKind.Checkpoint => ApiPath.WithQuery(path, ("take", 1)),
            PaginatorKind.Single => path,
            _ when definition.Projects => ApiPath.WithQuery(path, ("per_page", 1), ("page", 0), ("fields", definition.PrimaryKey[^1]), ("include_fields", true)),
            _ => ApiPath.WithQuery(path, ("per_page", 1), ("page", 0)),
        };
    }

    /// <summary>The definition's path, with <paramref name="parentId"/> (escaped as one segment) in place of <c>{id}</c>.</summary>
    private static string PathOf(StreamDefinition definition, string? parentId) => Fill(definition.Path, parentId);

    /// <summary><paramref name="path"/> with <paramref name="parentId"/> (escaped as one segment) in place of <c>{id}</c>.</summary>
    private static string Fill(string path, string? parentId) =>
        parentId is null ? path : path.Replace("{id}", ApiPath.Segment(parentId), StringComparison.Ordinal);

    /// <summary>
    /// The <paramref name="key"/> of every record of <paramref name="definition"/>, as the sync's child streams share
    /// them (<see cref="SharedListings"/>: listed once), or listed for this stream alone when the context has none.
    /// </summary>
    public static IAsyncEnumerable<string> IdsAsync(StreamDefinition definition, string key, StreamContext context, CancellationToken cancellationToken) =>
        context.Listings is { } shared ? shared.IdsAsync(definition, key, context, cancellationToken) : ListIdsAsync(definition, key, context, cancellationToken);

    /// <summary>
    /// The <paramref name="key"/> of every record of <paramref name="definition"/>, read lazily page by page. A record
    /// without one (absent, not a string, empty) fails the listing: skipping it would silently leave out its children.
    /// </summary>
    public static async IAsyncEnumerable<string> ListIdsAsync(StreamDefinition definition, string key, StreamContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var record in Paginators.RecordsAsync(PagesAsync(definition, definition.Path, context, cancellationToken)))
        {
            yield return record.StringProperty(key) is { Length: > 0 } id ? id
                : throw new InvalidDataException($"{Auth0ApiClient.PathOf(definition.Path)} answered a record without a '{key}' (a non-empty string); the streams read per record of it stop rather than leave its children out.");
        }
    }

    /// <summary>One cheap request tells whether offset paging can reach every record; past its reach, checkpoint paging.</summary>
    private static async IAsyncEnumerable<JsonPage> OffsetThenCheckpointAsync(StreamDefinition definition, string path, StreamContext context, ListingTally? tally, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long? total;
        var key = definition.PrimaryKey[0];
        var count = definition.Projects
            ? ApiPath.WithQuery(path, ("page", 0), ("per_page", 1), ("include_totals", true), ("fields", key), ("include_fields", true))
            : ApiPath.WithQuery(path, ("page", 0), ("per_page", 1), ("include_totals", true));
        using (var probe = await context.Api.GetJsonAsync(count, cancellationToken))
        {
            total = Paginators.TotalOf(probe.RootElement);
        }

        // The count is the listing's total for the reconciliation, checkpoint pages having none.
        var pages = total > Paginators.OffsetReach(context.PageSize.Value)
            ? Paginators.CheckpointAsync(context.Api, path, definition.RecordsProperty, context.PageSize, cancellationToken, tally, total)
            : Paginators.OffsetAsync(context.Api, path, definition.RecordsProperty, context.PageSize, cancellationToken, tally: tally, counted: total);
        await foreach (var page in pages)
        {
            yield return page;
        }
    }
}
