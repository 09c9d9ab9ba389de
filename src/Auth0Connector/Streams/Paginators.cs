using System.Runtime.CompilerServices;
using System.Text.Json;
using Auth0Connector.Foundation;
using Auth0Connector.Http;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams;

/// <summary>
/// Auth0's pagination strategies. Each yields pages; the caller disposes each page after use.
/// </summary>
internal static class Paginators
{
    /// <summary>Auth0 will not page past the first 1000 results of one listing or query.</summary>
    public const int ResultCap = 1000;

    /// <summary>
    /// How many results offset paging can reach with pages of <paramref name="pageSize"/>: Auth0
    /// refuses any page that ends past the cap, so with 30 per page the last reachable is the 990th.
    /// </summary>
    public static int OffsetReach(int pageSize) => ResultCap / pageSize * pageSize;

    /// <summary>
    /// Offset paging (<c>page</c>/<c>per_page</c>/<c>include_totals</c>, unless the endpoint always answers an
    /// envelope). Ends on the server's signal (<see cref="ListingEnd"/>): an empty page, or <c>total</c> reached;
    /// without a total, a page shorter than the tenant serves. Refuses to request past the 1000-result cap.
    /// </summary>
    public static async IAsyncEnumerable<JsonPage> OffsetAsync(
        Auth0ApiClient api, string path, string? itemsProperty, PageSize pageSize,
        [EnumeratorCancellation] CancellationToken cancellationToken, bool includeTotals = true, ListingTally? tally = null, long? counted = null)
    {
        var end = new ListingEnd(pageSize, path, tally, counted);
        var guard = new ProgressGuard(path);
        while (true)
        {
            var (document, inForce) = await pageSize.GetAsync(api, size =>
            {
                // The size is one whose pages start at the position reached, even after the tenant's size was learnt.
                size = end.SizeFor(size, aligned: true);
                var page = end.Delivered / size;
                if ((page + 1) * size > ResultCap)
                {
                    throw new ResultCapException($"{Auth0ApiClient.PathOf(path)} has more than {OffsetReach(size)} results; Auth0 cannot page past the first {ResultCap} of one listing ({OffsetReach(size)} with {size} per page), so the rest cannot be read this way.");
                }

                return ApiPath.WithQuery(path, ("page", page), ("per_page", size), ("include_totals", includeTotals ? true : null));
            }, cancellationToken);
            var asked = end.SizeFor(inForce, aligned: true);
            var result = ToPage(document, itemsProperty, path);
            guard.Page(result.Items, result);
            var last = end.OffsetPage(result.Count, asked, TotalOf(result.Root));
            yield return result;
            if (last)
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// Checkpoint paging (<c>take</c>/<c>from</c>/<c>next</c>). Stops when <c>next</c> is absent
    /// or a page is empty: members may return a <c>next</c> on a short last page, and the call
    /// after it returns an empty list. A short page with a <c>next</c> is read on from.
    /// </summary>
    public static async IAsyncEnumerable<JsonPage> CheckpointAsync(
        Auth0ApiClient api, string path, string? itemsProperty, PageSize pageSize,
        [EnumeratorCancellation] CancellationToken cancellationToken, ListingTally? tally = null, long? counted = null)
    {
        string? from = null;
        var end = new ListingEnd(pageSize, path, tally, counted);
        var guard = new ProgressGuard(path);
        while (true)
        {
            var (document, inForce) = await pageSize.GetAsync(api, size => ApiPath.WithQuery(path, ("take", end.SizeFor(size, aligned: false)), ("from", from)), cancellationToken);
            var asked = end.SizeFor(inForce, aligned: false);
            var result = ToPage(document, itemsProperty, path);
            var next = result.Root.StringProperty("next");
            guard.Page(result.Items, result);
            var last = end.CheckpointPage(result.Count, asked, !string.IsNullOrEmpty(next));
            yield return result;
            if (last)
            {
                yield break;
            }

            // A token seen before (A→B→A, or the same one again) would page round in a circle.
            guard.Next(next!);
            from = next;
        }
    }

    /// <summary>
    /// One request, no paging: a bare array or an envelope's <paramref name="itemsProperty"/> array, or
    /// (<paramref name="oneObject"/>) one object, which is the listing's only record. Any other shape fails.
    /// </summary>
    public static async IAsyncEnumerable<JsonPage> SingleAsync(
        Auth0ApiClient api, string path, string? itemsProperty, bool oneObject,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var document = await api.GetJsonAsync(path, cancellationToken);
        if (oneObject)
        {
            // One object (tenant settings): a page of one record, its text kept as the tenant wrote it.
            var one = document;
            using (one)
            {
                if (one.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new InvalidDataException($"{Auth0ApiClient.PathOf(path)} answered without an object; the Management API response shape is not what this connector expects.");
                }

                document = JsonDocument.Parse($"[{one.RootElement.GetRawText()}]", ServerJson.Options);
            }
        }

        yield return ToPage(document, itemsProperty, path);
    }

    /// <summary>
    /// Tags each page with <paramref name="added"/>; a listing whose parent vanished since it was
    /// listed (HTTP 404) ends early with <paramref name="onNotFound"/> instead of failing the stream.
    /// </summary>
    public static IAsyncEnumerable<JsonPage> OfParentAsync(IAsyncEnumerable<JsonPage> pages, RecordField[] added, Action onNotFound, CancellationToken cancellationToken = default) =>
        EndingOnAsync(pages, ErrorAction.SkipVanishedParent, _ => onNotFound(), page => page.Added = added, cancellationToken);

    /// <summary>
    /// The pages of a listing, or none past the point where the tenant answers that it does not have the feature
    /// (403 <c>feature_not_enabled</c> / <c>insufficient_entitlement</c>, <see cref="ErrorAction.PlanLacksFeature"/>):
    /// <paramref name="onUnavailable"/> is told and the listing ends instead of failing the stream.
    /// </summary>
    public static IAsyncEnumerable<JsonPage> UnlessUnavailableAsync(IAsyncEnumerable<JsonPage> pages, Action<Auth0ApiException> onUnavailable, CancellationToken cancellationToken = default) =>
        EndingOnAsync(pages, ErrorAction.PlanLacksFeature, onUnavailable, null, cancellationToken);

    /// <summary>The pages, each passed to <paramref name="each"/>; an API error that resolves to <paramref name="ends"/> ends them with <paramref name="onEnd"/>.</summary>
    private static async IAsyncEnumerable<JsonPage> EndingOnAsync(IAsyncEnumerable<JsonPage> pages, ErrorAction ends, Action<Auth0ApiException> onEnd, Action<JsonPage>? each, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var cursor = pages.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await cursor.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (Auth0ApiException e) when (ErrorResolution.For(e) == ends)
            {
                onEnd(e);
                yield break;
            }

            each?.Invoke(cursor.Current);
            yield return cursor.Current;
        }
    }

    /// <summary>The records of pages, one by one; each page is disposed once its records are consumed.</summary>
    public static async IAsyncEnumerable<JsonElement> RecordsAsync(IAsyncEnumerable<JsonPage> pages)
    {
        await foreach (var page in pages)
        {
            using (page)
            {
                foreach (var item in page.Items.EnumerateArray())
                {
                    yield return item;
                }
            }
        }
    }

    /// <summary>The <c>total</c> of an offset page envelope, if present.</summary>
    public static long? TotalOf(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("total", out var total) && total.TryGetInt64(out var value) ? value : null;

    /// <summary>Wraps a response as a page: a bare array, or the named array of an envelope.</summary>
    public static JsonPage ToPage(JsonDocument document, string? itemsProperty, string path)
    {
        try
        {
            return new JsonPage(document, Items(document.RootElement, itemsProperty, path));
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    /// <summary>The record array of a response: a bare array, or the named property of an envelope; every row an object.</summary>
    public static JsonElement Items(JsonElement root, string? itemsProperty, string path)
    {
        if (root.ValueKind == JsonValueKind.Array)
        {
            RecordRows.RequireObjects(root, path);
            return root;
        }

        if (itemsProperty is not null && root.ValueKind == JsonValueKind.Object && root.TryGetProperty(itemsProperty, out var items) && items.ValueKind == JsonValueKind.Array)
        {
            RecordRows.RequireObjects(items, path);
            return items;
        }

        throw new InvalidDataException($"{Auth0ApiClient.PathOf(path)} answered without {(itemsProperty is null ? "an array" : $"a '{itemsProperty}' array")}; the Management API response shape is not what this connector expects.");
    }
}
