using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Auth0Connector.Configuration;
using Auth0Connector.Http;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams;

/// <summary>
/// Users (<c>GET /api/v2/users</c>, search engine v3), full refresh or incremental on <c>updated_at</c>.
/// </summary>
/// <remarks>
/// <para>
/// The search returns only the first 1000 hits of a query, so a range of the time axis is walked
/// instead of paged: each request asks for page 0 of <c>updated_at:[T TO end}</c> sorted by
/// <c>updated_at</c>, and the next starts at the last <c>updated_at</c> seen (users at that same
/// millisecond already delivered are skipped by id). No query pages, so none can reach the cap,
/// and users changing during the sync cannot shift a page. A full page of one millisecond is read
/// by paging that instant; more than 1000 users in one millisecond come from a users export.
/// </para>
/// <para>
/// Large windows are first cut into ranges of similar user counts (cheap count queries), and
/// <c>max_concurrency</c> ranges are walked at once through the shared rate gate. The state only
/// moves past ranges that are complete: it is the position reached in the earliest unfinished one.
/// The window ends at the sync's start; later updates belong to the next sync.
/// </para>
/// </remarks>
internal sealed class UsersStream : IAuth0Stream
{
    public const string Cursor = "updated_at";
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public string Name => "users";

    public IReadOnlyList<string> PrimaryKey { get; } = ["user_id"];

    public string? CursorField => Cursor;

    public IReadOnlyList<string> RequiredScopes { get; } = ["read:users"];

    public string Endpoint => "GET /api/v2/users";

    public void ValidateState(JsonElement state, DateTimeOffset now)
    {
        _ = UsersState.ReadCursor(state, now);
        _ = UsersState.ReadSavedRanges(state, now);
    }

    public async IAsyncEnumerable<StreamItem> ReadAsync(StreamContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var state = context.Mode == SyncMode.Incremental ? context.State : null;
        var now = context.Time.GetUtcNow();
        var stateCursor = state is { } st ? UsersState.ReadCursor(st, now) : null;
        var saved = state is { } s2 && stateCursor is not null ? UsersState.ReadSavedRanges(s2, now) : [];
        // Look back from the saved cursor (never before start_date): updates the search index had
        // not yet shown to the previous sync are read now. Users seen again are re-delivered.
        var start = stateCursor is { } cursor
            ? Max(cursor - context.Config.Lookback, context.Config.StartDate)
            : context.Config.StartDate;
        // Millisecond precision, as Auth0 stores it; the end is exclusive.
        var end = TruncateToMilliseconds(now);
        context.Messages.Log(LogLevel.Info, $"users: reading updated_at from {(start is { } s ? Format(s) : "the beginning")} to {Format(end)} ({(context.Mode == SyncMode.Incremental ? "incremental" : "full refresh")}{(saved.Count > 0 ? $", resuming {saved.Count} ranges of an interrupted sync" : string.Empty)})");

        var ranges = saved.Count > 0
            ? await UsersPlanner.ResumePlanAsync(context, start!.Value, stateCursor!.Value, saved, end, cancellationToken)
            : await UsersPlanner.PlanAsync(context, start, end, cancellationToken);
        var completed = new bool[ranges.Count];
        var reached = new string?[ranges.Count];
        string? lastCursor = stateCursor is { } c ? Format(c) : null;
        string? lastState = null;
        string? newest = null;
        var batches = FanOut.ItemsAsync(
            ranges.ToAsyncEnumerable(),
            (range, token) => WalkAsync(context, range, token),
            context.Config.MaxConcurrency,
            cancellationToken);
        await foreach (var batch in batches)
        {
            using (batch)
            {
                foreach (var user in batch.Users)
                {
                    yield return StreamItem.Of(user);
                }

                var index = batch.Range.Index;
                reached[index] = batch.Reached ?? reached[index];
                if (batch.Reached is { } r && (newest is null || string.CompareOrdinal(r, newest) > 0))
                {
                    newest = r;
                }

                if (batch.RangeComplete)
                {
                    completed[index] = true;
                    context.Messages.Log(LogLevel.Info, $"users: range {index + 1}/{ranges.Count} [{Describe(ranges[index])}) complete");
                }
            }

            // Everything before the earliest unfinished range's position is delivered; the ranges
            // from there on are saved with their own positions, so a restart re-reads at most the
            // page each of them had in flight.
            var first = Array.IndexOf(completed, false);
            if (first < 0)
            {
                continue;
            }

            var cursorNow = reached[first] ?? (ranges[first].Lower is { } lower ? Format(lower) : null);
            if (cursorNow is null || (lastCursor is not null && string.CompareOrdinal(cursorNow, lastCursor) < 0))
            {
                continue;
            }

            var json = UsersState.Json(cursorNow, ranges, completed, reached, first);
            if (json != lastState)
            {
                lastCursor = cursorNow;
                lastState = json;
                yield return StreamItem.Checkpoint(json);
            }
        }

        var final = newest is not null && (lastCursor is null || string.CompareOrdinal(newest, lastCursor) > 0) ? newest : lastCursor;
        yield return StreamItem.Checkpoint(final is null ? "{}" : UsersState.Json(final));
    }

    /// <summary>One range of the time axis: [Lower, Upper), Lower null for "from the first user".</summary>
    internal sealed record TimeRange(int Index, DateTimeOffset? Lower, DateTimeOffset Upper, long Count);

    /// <summary>Users read from one range, the position they reach, and whether the range is done.</summary>
    private sealed class UserBatch(IDisposable? owner, IReadOnlyList<JsonElement> users, TimeRange range, string? reached, bool rangeComplete) : IDisposable
    {
        public IReadOnlyList<JsonElement> Users { get; } = users;

        public TimeRange Range { get; } = range;

        /// <summary>The updated_at of the last user delivered (a restart re-reads from it).</summary>
        public string? Reached { get; } = reached;

        public bool RangeComplete { get; } = rangeComplete;

        public void Dispose() => owner?.Dispose();
    }

    /// <summary>Walks one range along updated_at, page by page (see the class remarks).</summary>
    private static async IAsyncEnumerable<UserBatch> WalkAsync(StreamContext context, TimeRange range, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        DateTimeOffset? lower = range.Lower;
        var lowerInclusive = true;
        var walk = new UsersWalkState(new ProgressGuard("users"));
        while (true)
        {
            var pageSize = context.PageSize.Value;
            var query = $"updated_at:{(lowerInclusive ? '[' : '{')}{(lower is { } l ? Format(l) : "*")} TO {Format(range.Upper)}}}";
            var document = await SearchAsync(context, query, page: 0, pageSize, cancellationToken, totals: false);
            if (document is null)
            {
                continue; // page size stepped down
            }

            var users = Paginators.Items(document.RootElement, "users", "users");
            var count = users.GetArrayLength();
            var page = walk.Inspect(context, users, document, lower, lowerInclusive, range.Upper, full: count == pageSize);
            var (first, last) = (page.First, page.Last);
            if (count == pageSize && first is not null && first == last && page.WithoutUpdatedAt == 0 && !page.PastUpper)
            {
                // A full page of one instant: page through exactly that millisecond instead.
                document.Dispose();
                var instant = TryParseTimestamp(first) ?? throw new InvalidDataException($"users: updated_at '{first}' is not a timestamp.");
                await foreach (var batch in ReadInstantAsync(context, range, instant, walk.DeliveredAt(first), cancellationToken))
                {
                    yield return batch;
                }

                walk.ResetBoundary();
                lower = instant;
                lowerInclusive = false;
                continue;
            }

            var fresh = walk.Fresh(users, page, range.Upper);
            var boundary = walk.Boundary;
            var complete = count < pageSize || last is null || page.PastUpper;
            yield return new UserBatch(document, fresh, range, boundary, complete);
            if (complete)
            {
                yield break;
            }

            // Sorted by updated_at, a full page moves the position forward, or the search is not
            // honouring its query: stop rather than read the same users again and again.
            var next = TryParseTimestamp(last!)!.Value;
            if (lower is { } previous && next <= previous)
            {
                throw new InvalidDataException($"users: the search did not move past updated_at {Format(previous)} (a full page ended at {last}); it is not honouring its query or its sort order, so the walk stops instead of looping. Try again later; report it if it persists.");
            }

            lower = next;
            lowerInclusive = true;
        }
    }

    /// <summary>Every user updated at exactly <paramref name="instant"/>: offset paging up to 1000, else a users export.</summary>
    private static async IAsyncEnumerable<UserBatch> ReadInstantAsync(StreamContext context, TimeRange range, DateTimeOffset instant, HashSet<string>? alreadyDelivered, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = $"updated_at:[{Format(instant)} TO {Format(instant)}]";
        var reached = Format(instant);
        var delivered = 0;
        var guard = new ProgressGuard("users");
        while (true)
        {
            var pageSize = context.PageSize.Value;
            var page = delivered / pageSize;
            var document = await SearchAsync(context, query, page, pageSize, cancellationToken);
            if (document is null)
            {
                continue;
            }

            var root = document.RootElement;
            if (Paginators.TotalOf(root) is { } total && total > Paginators.OffsetReach(pageSize))
            {
                document.Dispose();
                // Search cannot reach them all: the export job can. Users already delivered from
                // this instant are skipped, so the stream has each user once.
                context.Messages.Log(LogLevel.Info, $"users: {total} users share updated_at {reached} (a bulk import?); the search returns at most {Paginators.OffsetReach(pageSize)} of one query with {pageSize} per page, so they are read from a users export instead");
                var exported = UsersExport.ReadAsync(context, user => UpdatedAt(user) is { } at && TryParseTimestamp(at) == instant && !(UserId(user) is { } id && alreadyDelivered?.Contains(id) == true), cancellationToken);
                await foreach (var user in exported)
                {
                    // Each exported line is its own document, alive until its batch is written.
                    yield return new UserBatch(user, [user.RootElement], range, reached, rangeComplete: false);
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

            yield return new UserBatch(document, fresh, range, reached, rangeComplete: false);
            delivered += count;
            if (count < pageSize || (Paginators.TotalOf(root) is { } t && delivered >= t))
            {
                yield break;
            }

            if ((delivered / pageSize + 1) * pageSize > Paginators.ResultCap)
            {
                throw new ResultCapException($"users: more than {Paginators.OffsetReach(pageSize)} users share updated_at {reached}; they cannot all be read by search.");
            }
        }
    }

    /// <summary>One search request; null when the page size had to step down (ask again).</summary>
    private static async Task<JsonDocument?> SearchAsync(StreamContext context, string query, int page, int pageSize, CancellationToken cancellationToken, bool totals = true)
    {
        // The walk needs no totals (counting hits costs the search too); paging an instant does.
        var uri = ApiPath.WithQuery("users", ("q", query), ("sort", "updated_at:1"), ("search_engine", "v3"), ("page", page), ("per_page", pageSize), ("include_totals", totals));
        try
        {
            return await context.Api.GetJsonAsync(uri, cancellationToken);
        }
        catch (Http.Auth0ApiException e) when (context.PageSize.TryStepDown(e, pageSize))
        {
            return null;
        }
    }

    private static string Describe(TimeRange range) => $"{(range.Lower is { } l ? Format(l) : "*")}, {Format(range.Upper)}";

    private static string? UpdatedAt(JsonElement user) => user.StringProperty(Cursor);

    private static string? UserId(JsonElement user) => user.StringProperty("user_id");

    internal static string Format(DateTimeOffset value) => value.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    internal static DateTimeOffset? TryParseTimestamp(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value) ? value : null;

    private static DateTimeOffset Max(DateTimeOffset value, DateTimeOffset? floor) => floor is { } f && f > value ? f : value;

    internal static DateTimeOffset TruncateToMilliseconds(DateTimeOffset value) =>
        DateTimeOffset.FromUnixTimeMilliseconds(value.ToUnixTimeMilliseconds());
}
