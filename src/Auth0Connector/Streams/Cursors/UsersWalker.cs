using System.Runtime.CompilerServices;
using System.Text.Json;
using Auth0Connector.Foundation;
using Auth0Connector.Http;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams.Cursors;

/// <summary>
/// The users cursor's walker: reads one range of the updated_at axis page by page, each page
/// checked against the window it asked for (<see cref="UsersWindow"/>, <see cref="UsersWalkState"/>);
/// a full page of one millisecond is paged as that instant, or read from a users export.
/// </summary>
internal static class UsersWalker
{
    /// <summary>
    /// Walks one range along updated_at, page by page (see <see cref="UsersCursor"/>). A query the search answers
    /// 503 (it ran past Auth0's time limit) is narrowed: the rest of the range is walked in halves, each halved again
    /// while it times out, down to one millisecond, which cannot be split and fails the stream naming it.
    /// </summary>
    public static async IAsyncEnumerable<UsersBatch> WalkAsync(StreamContext context, UsersRange range, UsersExportJob export, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        DateTimeOffset? lower = range.Lower;
        var lowerInclusive = true;
        var walk = new UsersWalkState(new ProgressGuard("users"));
        // Ends of the parts a timed-out query was split into, the nearest on top; empty: the range's own end.
        var ends = new Stack<DateTimeOffset>();
        (int Asked, int Served, string? Last)? shortPage = null;
        while (true)
        {
            var upper = ends.Count > 0 ? ends.Peek() : range.Upper;
            var query = $"updated_at:{(lowerInclusive ? '[' : '{')}{(lower is { } l ? UsersCursor.Format(l) : "*")} TO {UsersCursor.Format(upper)}}}";
            if (await NarrowedSearchAsync(context, query, (lower, lowerInclusive, upper), ends, cancellationToken) is not var (document, pageSize))
            {
                continue; // the part split in two
            }

            var users = Paginators.Items(document.RootElement, "users", "users");
            var count = users.GetArrayLength();
            // The search's total (the users from the position to the part's end) says whether more remain: a page
            // shorter than asked is not the end, it is the size the tenant serves. Without a total, a full page.
            var more = count > 0 && (Paginators.TotalOf(document.RootElement) is { } total ? total > count : count >= pageSize);
            context.PageSize.Saw(count);
            var page = walk.Inspect(context, users, document, lower, lowerInclusive, upper, full: more);
            var (first, last) = (page.First, page.Last);
            // A page shorter than asked while more remained is the tenant's page size once the next, as full, moves on.
            if (shortPage is { } suspect && count >= suspect.Served && last is not null && last != suspect.Last)
            {
                context.PageSize.Learn(suspect.Asked, suspect.Served, "users");
            }

            shortPage = more && count < pageSize ? (pageSize, count, last) : null;
            if (more && first is not null && first == last && page.WithoutUpdatedAt == 0 && !page.PastUpper)
            {
                // A full page of one instant: page through exactly that millisecond instead.
                document.Dispose();
                var instant = UsersCursor.TryParseTimestamp(first) ?? throw new InvalidDataException($"users: updated_at '{first}' is not a timestamp.");
                await foreach (var batch in ReadInstantAsync(context, range, instant, walk.DeliveredAt(first), export, cancellationToken))
                {
                    yield return batch;
                }

                walk.ResetBoundary();
                lower = instant;
                lowerInclusive = false;
                continue;
            }

            var fresh = walk.Fresh(users, page, upper);
            var partComplete = !more || last is null || page.PastUpper;
            yield return new UsersBatch(document, fresh, range, walk.Boundary, partComplete && ends.Count == 0);
            if (partComplete && ends.Count == 0)
            {
                yield break;
            }

            if (partComplete)
            {
                // The part is done: the next starts at its end (exclusive there, so no user comes twice).
                lower = ends.Pop();
                lowerInclusive = true;
                continue;
            }

            // Sorted by updated_at, a full page moves the position forward, or the search is not
            // honouring its query: stop rather than read the same users again and again.
            var next = UsersCursor.TryParseTimestamp(last!)!.Value;
            if (lower is { } previous && next <= previous)
            {
                throw new InvalidDataException($"users: the search did not move past updated_at {UsersCursor.Format(previous)} (a full page ended at {last}); it is not honouring its query or its sort order, so the walk stops instead of looping. Try again later; report it if it persists.");
            }

            lower = next;
            lowerInclusive = true;
        }
    }

    /// <summary>
    /// Page 0 of the walk's query and the size it asked; null when the search timed out and the part was split (its
    /// middle pushed onto <paramref name="ends"/>): ask again.
    /// </summary>
    private static async Task<(JsonDocument Document, int Size)?> NarrowedSearchAsync(StreamContext context, string query, (DateTimeOffset? Lower, bool Inclusive, DateTimeOffset Upper) part, Stack<DateTimeOffset> ends, CancellationToken cancellationToken)
    {
        try
        {
            return await context.PageSize.GetAsync(context.Api, size => SearchUri(query, page: 0, size), cancellationToken);
        }
        catch (Auth0ApiException e) when (ErrorResolution.For(e) == ErrorAction.NarrowQuery)
        {
            var range = UsersPlanner.Describe(part.Lower, part.Inclusive, part.Upper);
            var middle = UsersPlanner.Split(part.Lower, part.Upper) ?? throw UsersPlanner.Unsplittable(e, range);
            if (ends.Count == 0)
            {
                context.Messages.Log(LogLevel.Info, $"users: the search timed out (HTTP 503) on updated_at {range}; reading it in smaller ranges");
            }

            ends.Push(middle);
            return null;
        }
    }

    /// <summary>Every user updated at exactly <paramref name="instant"/>: offset paging up to 1000, else the sync's users export.</summary>
    private static async IAsyncEnumerable<UsersBatch> ReadInstantAsync(StreamContext context, UsersRange range, DateTimeOffset instant, HashSet<string>? alreadyDelivered, UsersExportJob export, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = $"updated_at:[{UsersCursor.Format(instant)} TO {UsersCursor.Format(instant)}]";
        var reached = UsersCursor.Format(instant);
        var end = new ListingEnd(context.PageSize, "users");
        var guard = new ProgressGuard("users");
        while (true)
        {
            JsonDocument document;
            int inForce;
            try
            {
                (document, inForce) = await context.PageSize.GetAsync(context.Api, size =>
                {
                    // A size whose pages start at the position reached: the page index is exact.
                    var asked = end.SizeFor(size, aligned: true);
                    return SearchUri(query, (int)(end.Delivered / asked), asked);
                }, cancellationToken);
            }
            catch (Auth0ApiException e) when (ErrorResolution.For(e) == ErrorAction.NarrowQuery)
            {
                // One millisecond: no narrower query exists.
                throw UsersPlanner.Unsplittable(e, $"[{reached}, {UsersCursor.Format(instant.AddMilliseconds(1))})");
            }

            var pageSize = end.SizeFor(inForce, aligned: true);

            var root = document.RootElement;
            if (Paginators.TotalOf(root) is { } total && total > Paginators.OffsetReach(pageSize))
            {
                document.Dispose();
                // Search cannot reach them all: the export job can. Users already delivered from
                // this instant are skipped, so the stream has each user once.
                context.Messages.Log(LogLevel.Info, $"users: {total} users share updated_at {reached} (a bulk import?); the search returns at most {Paginators.OffsetReach(pageSize)} of one query with {pageSize} per page, so they are read from a users export instead");
                if (!await export.ReadyAsync(cancellationToken))
                {
                    throw new ResultCapException($"users: {total} users share updated_at {reached}: the search returns at most {Paginators.OffsetReach(pageSize)} of one query, and this tenant's plan has no users export, so they cannot all be read. The stream stops there, its state not past that instant, so that none is skipped silently.");
                }

                var exported = UsersExport.ReadAsync(context, export, user => UpdatedAt(user) is { } at && UsersCursor.TryParseTimestamp(at) == instant && !(UserId(user) is { } id && alreadyDelivered?.Contains(id) == true), cancellationToken);
                await foreach (var user in exported)
                {
                    // Each exported line is its own document, alive until its batch is written.
                    yield return new UsersBatch(user, [user.RootElement], range, reached, rangeComplete: false);
                }

                yield break;
            }

            var users = Paginators.Items(root, "users", "users");
            guard.Page(users, document);
            var count = users.GetArrayLength();
            var fresh = new List<JsonElement>(count);
            foreach (var user in users.EnumerateArray())
            {
                if (!(alreadyDelivered is not null && UserId(user) is { } id && alreadyDelivered.Contains(id)))
                {
                    fresh.Add(user);
                }
            }

            var last = end.OffsetPage(count, pageSize, Paginators.TotalOf(root));
            yield return new UsersBatch(document, fresh, range, reached, rangeComplete: false);
            if (last)
            {
                yield break;
            }

            var next = end.SizeFor(context.PageSize.Value, aligned: true);
            if ((end.Delivered / next + 1) * next > Paginators.ResultCap)
            {
                throw new ResultCapException($"users: more than {Paginators.OffsetReach(next)} users share updated_at {reached}; they cannot all be read by search.");
            }
        }
    }

    /// <summary>
    /// One search request, sorted by updated_at. The total tells where the walk, or the paging of an instant, ends: a
    /// page shorter than asked may be the size the tenant serves.
    /// </summary>
    private static string SearchUri(string query, int page, int pageSize) =>
        ApiPath.WithQuery("users", ("q", query), ("sort", "updated_at:1"), ("search_engine", "v3"), ("page", page), ("per_page", pageSize), ("include_totals", true));

    private static string? UpdatedAt(JsonElement user) => user.StringProperty(UsersCursor.UpdatedAt);

    private static string? UserId(JsonElement user) => user.StringProperty("user_id");
}

/// <summary>Users read from one range, the position they reach, and whether the range is done.</summary>
internal sealed class UsersBatch(IDisposable? owner, IReadOnlyList<JsonElement> users, UsersRange range, string? reached, bool rangeComplete) : IDisposable
{
    public IReadOnlyList<JsonElement> Users { get; } = users;

    public UsersRange Range { get; } = range;

    /// <summary>The updated_at of the last user delivered (a restart re-reads from it).</summary>
    public string? Reached { get; } = reached;

    public bool RangeComplete { get; } = rangeComplete;

    public void Dispose() => owner?.Dispose();
}
