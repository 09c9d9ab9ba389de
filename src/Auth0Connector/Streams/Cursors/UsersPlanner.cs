using System.Collections.Concurrent;
using Auth0Connector.Foundation;
using Auth0Connector.Http;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams.Cursors;

/// <summary>One range of the time axis: [Lower, Upper), Lower null for "from the first user".</summary>
internal sealed record UsersRange(int Index, DateTimeOffset? Lower, DateTimeOffset Upper, long Count);

/// <summary>
/// The users cursor's planner: cuts a sync's window of the updated_at axis into ranges of similar
/// user counts (cheap count queries, bisecting time), or resumes the ranges an interrupted sync saved.
/// </summary>
internal static class UsersPlanner
{
    /// <summary>
    /// The sync's window, from the state's cursor less the lookback (or <c>start_date</c>) to the
    /// sync's start, and its ranges.
    /// </summary>
    public static async Task<List<UsersRange>> PlanSyncAsync(StreamContext context, DateTimeOffset? stateCursor, List<UsersState.SavedRange> saved, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Look back from the saved cursor (never before start_date): updates the search index had
        // not yet shown to the previous sync are read now. Users seen again are re-delivered. A
        // cursor before 2000 (before Auth0) is read from as it is: no lookback can matter, or underflow.
        var start = stateCursor is not { } cursor ? context.Config.StartDate
            : Max(cursor < SavedCursor.Earliest ? cursor : cursor - context.Config.Lookback, context.Config.StartDate);
        // Millisecond precision, as Auth0 stores it; the end is exclusive.
        var end = UsersCursor.TruncateToMilliseconds(now);
        context.Messages.Log(LogLevel.Info, $"users: reading updated_at from {(start is { } s ? UsersCursor.Format(s) : "the beginning")} to {UsersCursor.Format(end)} ({(context.Mode == SyncMode.Incremental ? "incremental" : "full refresh")}{(saved.Count > 0 ? $", resuming {saved.Count} ranges of an interrupted sync" : string.Empty)})");
        return saved.Count > 0
            ? await ResumePlanAsync(context, start!.Value, stateCursor!.Value, saved, end, cancellationToken)
            : await PlanAsync(context, start, end, cancellationToken);
    }

    /// <summary>
    /// The plan of a sync resuming an interrupted one: the lookback before its cursor, its unfinished
    /// ranges from where each had got to, and the time since it started, planned afresh. Finished
    /// ranges are skipped unless they are recent enough to hide an update the index showed late.
    /// </summary>
    public static async Task<List<UsersRange>> ResumePlanAsync(StreamContext context, DateTimeOffset start, DateTimeOffset cursor, List<UsersState.SavedRange> saved, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var lagFloor = end - context.Config.Lookback;
        var plan = new List<UsersRange>();
        if (start < cursor)
        {
            plan.Add(new UsersRange(0, start, cursor, 0));
        }

        foreach (var range in saved)
        {
            if (range.Done && range.Upper <= lagFloor)
            {
                continue;
            }

            var resume = range.Done ? range.Lower : range.Reached ?? range.Lower;
            if (resume > lagFloor)
            {
                resume = range.Lower > lagFloor ? range.Lower : lagFloor;
            }

            resume = resume < range.Lower ? range.Lower : resume;
            plan.Add(new UsersRange(0, resume, range.Upper, 0));
        }

        var tail = saved.Max(r => r.Upper);
        if (tail < end)
        {
            plan.AddRange(await PlanAsync(context, tail, end, cancellationToken));
        }

        return plan.OrderBy(r => r.Lower).Select((r, i) => r with { Index = i }).ToList();
    }

    /// <summary>
    /// Cuts the window into ranges of similar size, at most four per concurrent reader, by
    /// bisecting time with count queries; a small window is one range.
    /// </summary>
    public static async Task<List<UsersRange>> PlanAsync(StreamContext context, DateTimeOffset? start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        // Every range counted, directly or as the sum of its halves: the bisection never asks one twice.
        var counts = new ConcurrentDictionary<(DateTimeOffset?, DateTimeOffset), (long, DateTimeOffset?)>();
        var (total, earliest) = await CountAsync(context, start, end, counts, cancellationToken);
        context.Messages.Estimate("users", total);
        var concurrency = context.Config.MaxConcurrency;
        var target = Math.Max(context.PageSize.Value * 10L, total / (concurrency * 4L));
        var pending = new List<UsersRange> { new(0, start, end, total) };
        if (concurrency == 1 || total <= target || earliest is null)
        {
            return pending;
        }

        // The first range starts at the earliest user: bisecting from the epoch (or a cursor before 2000) would waste probes.
        pending[0] = pending[0] with { Lower = start is { } s && s >= SavedCursor.Earliest ? s : earliest };
        // Bisect level by level: all ranges still too large are split in parallel, at most
        // max_concurrency count queries at a time.
        var done = new List<UsersRange>();
        var probes = 0;
        using var slots = new SemaphoreSlim(concurrency);
        while (pending.Count > 0 && probes < concurrency * 8)
        {
            var splittable = pending.Where(r => r.Count > target && Split(r.Lower!.Value, r.Upper) is not null).ToList();
            done.AddRange(pending.Except(splittable));
            pending = [];
            if (splittable.Count == 0)
            {
                break;
            }

            var halves = await Task.WhenAll(splittable.Select(async range =>
            {
                // The same middle as a timed-out count is split at, so the halves' counts kept in counts are reused.
                var lower = range.Lower!.Value;
                var middle = Split(lower, range.Upper)!.Value;
                await slots.WaitAsync(cancellationToken);
                long left;
                try
                {
                    (left, _) = await CountAsync(context, lower, middle, counts, cancellationToken);
                }
                finally
                {
                    slots.Release();
                }

                return new[] { new UsersRange(0, lower, middle, left), new UsersRange(0, middle, range.Upper, range.Count - left) };
            }));
            probes += splittable.Count;
            pending.AddRange(halves.SelectMany(h => h).Where(r => r.Count > 0));
        }

        var ranges = done.Concat(pending).OrderBy(r => r.Lower).Select((r, i) => r with { Index = i }).ToList();
        context.Messages.Log(LogLevel.Info, $"users: {total} users in {ranges.Count} ranges, read {Math.Min(concurrency, ranges.Count)} at a time ({probes} count queries)");
        return ranges.Count == 0 ? [new UsersRange(0, start, end, 0)] : ranges;
    }

    /// <summary>How many users [<paramref name="lower"/>, <paramref name="upper"/>) holds now (the reconciliation's second count).</summary>
    internal static async Task<long> RecountAsync(StreamContext context, DateTimeOffset? lower, DateTimeOffset upper, CancellationToken cancellationToken) =>
        (await CountAsync(context, lower, upper, new(), cancellationToken)).Total;

    /// <summary>
    /// How many users a range holds, and the earliest updated_at among them. A count the search answers 503 (it ran
    /// past Auth0's time limit) is the sum of its halves' counts. Each count is kept in <paramref name="counts"/>.
    /// </summary>
    private static async Task<(long Total, DateTimeOffset? Earliest)> CountAsync(StreamContext context, DateTimeOffset? lower, DateTimeOffset upper, ConcurrentDictionary<(DateTimeOffset?, DateTimeOffset), (long, DateTimeOffset?)> counts, CancellationToken cancellationToken)
    {
        if (counts.TryGetValue((lower, upper), out var known))
        {
            return known;
        }

        (long, DateTimeOffset?) count;
        try
        {
            count = await CountOnceAsync(context, lower, upper, cancellationToken);
        }
        catch (Auth0ApiException e) when (ErrorResolution.For(e) == ErrorAction.NarrowQuery)
        {
            var middle = Split(lower, upper) ?? throw Unsplittable(e, Describe(lower, true, upper));
            var (left, earliest) = await CountAsync(context, lower, middle, counts, cancellationToken);
            var (right, later) = await CountAsync(context, middle, upper, counts, cancellationToken);
            count = (left + right, earliest ?? later);
        }

        counts[(lower, upper)] = count;
        return count;
    }

    /// <summary>No user is older than the Unix epoch: where a range "from the first user" is split, its lower end.</summary>
    private static readonly DateTimeOffset Floor = DateTimeOffset.UnixEpoch;

    /// <summary>
    /// The middle of [lower, upper) at millisecond precision, where a range whose search timed out is split; null
    /// when the range is one millisecond, which no query can split.
    /// </summary>
    internal static DateTimeOffset? Split(DateTimeOffset? lower, DateTimeOffset upper)
    {
        var from = lower ?? Floor;
        return upper - from < TimeSpan.FromMilliseconds(2) ? null : UsersCursor.TruncateToMilliseconds(from + ((upper - from) / 2));
    }

    /// <summary>The error for a search that timed out on a range too narrow to split: it names the range.</summary>
    internal static Auth0ApiException Unsplittable(Auth0ApiException timeout, string range) =>
        new(timeout.Status, timeout.ErrorCode, $"users: the search timed out (HTTP 503) on updated_at {range}, which cannot be split further (one millisecond). Auth0 answers 503 when a search runs past its time limit; try again later, and report that range to Auth0 support if it persists. The state does not move past it. ({timeout.Message})", timeout.Path);

    /// <summary>A range as the logs name it: <c>[2024-01-01T00:00:00.000Z, 2024-01-01T00:00:00.001Z)</c>, <c>*</c> for an open start.</summary>
    internal static string Describe(DateTimeOffset? lower, bool lowerInclusive, DateTimeOffset upper) =>
        $"{(lowerInclusive ? '[' : '(')}{(lower is { } l ? UsersCursor.Format(l) : "*")}, {UsersCursor.Format(upper)})";

    private static async Task<(long Total, DateTimeOffset? Earliest)> CountOnceAsync(StreamContext context, DateTimeOffset? lower, DateTimeOffset upper, CancellationToken cancellationToken)
    {
        var query = $"updated_at:[{(lower is { } l ? UsersCursor.Format(l) : "*")} TO {UsersCursor.Format(upper)}}}";
        var uri = ApiPath.WithQuery("users", ("q", query), ("sort", "updated_at:1"), ("search_engine", "v3"), ("page", 0), ("per_page", 1), ("include_totals", true), ("fields", "user_id,updated_at"), ("include_fields", true));
        using var document = await context.Api.GetJsonAsync(uri, cancellationToken);
        var users = Paginators.Items(document.RootElement, "users", "users");
        var earliest = users.GetArrayLength() > 0 && users[0].StringProperty(UsersCursor.UpdatedAt) is { } at ? UsersCursor.TryParseTimestamp(at) : null;
        return (Paginators.TotalOf(document.RootElement) ?? users.GetArrayLength(), earliest);
    }

    private static DateTimeOffset Max(DateTimeOffset value, DateTimeOffset? floor) => floor is { } f && f > value ? f : value;
}
