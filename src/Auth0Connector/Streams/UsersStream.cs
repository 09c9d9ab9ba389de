using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Auth0Connector.Configuration;
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

    public string RequiredScope => "read:users";

    public void ValidateState(JsonElement state)
    {
        _ = ReadStateCursor(state);
        _ = ReadSavedRanges(state);
    }

    /// <summary>The <c>updated_at</c> of a users state object; null for an empty state.</summary>
    internal static DateTimeOffset? ReadStateCursor(JsonElement state)
    {
        if (state.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigException("state.users", $"The users state must be an object like {{\"updated_at\": \"2024-01-01T00:00:00.000Z\"}}, not {JsonInput.Describe(state)}.");
        }

        var text = JsonInput.OptionalString(state, Cursor, "state.users.updated_at");
        if (text is null)
        {
            return null;
        }

        return JsonInput.TryParseIso8601(text) ?? throw new ConfigException("state.users.updated_at", $"'state.users.updated_at' is '{text}', which is not an ISO-8601 date-time. Fix it (e.g. 2024-01-01T00:00:00.000Z) or remove the users state to read every user again.");
    }

    public async IAsyncEnumerable<StreamItem> ReadAsync(StreamContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var state = context.Mode == SyncMode.Incremental ? context.State : null;
        var stateCursor = state is { } st ? ReadStateCursor(st) : null;
        var saved = state is { } s2 && stateCursor is not null ? ReadSavedRanges(s2) : [];
        // Look back from the saved cursor (never before start_date): updates the search index had
        // not yet shown to the previous sync are read now. Users seen again are re-delivered.
        var start = stateCursor is { } cursor
            ? Max(cursor - context.Config.Lookback, context.Config.StartDate)
            : context.Config.StartDate;
        // Millisecond precision, as Auth0 stores it; the end is exclusive.
        var end = TruncateToMilliseconds(context.Time.GetUtcNow());
        context.Messages.Log(LogLevel.Info, $"users: reading updated_at from {(start is { } s ? Format(s) : "the beginning")} to {Format(end)} ({(context.Mode == SyncMode.Incremental ? "incremental" : "full refresh")}{(saved.Count > 0 ? $", resuming {saved.Count} ranges of an interrupted sync" : string.Empty)})");

        var ranges = saved.Count > 0
            ? await ResumePlanAsync(context, start!.Value, stateCursor!.Value, saved, end, cancellationToken)
            : await PlanAsync(context, start, end, cancellationToken);
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

            var json = StateJson(cursorNow, ranges, completed, reached, first);
            if (json != lastState)
            {
                lastCursor = cursorNow;
                lastState = json;
                yield return StreamItem.Checkpoint(json);
            }
        }

        var final = newest is not null && (lastCursor is null || string.CompareOrdinal(newest, lastCursor) > 0) ? newest : lastCursor;
        yield return StreamItem.Checkpoint(final is null ? "{}" : StateJson(final));
    }

    /// <summary>The ranges an interrupted sync saved beside its cursor (see <see cref="StateJson(string, List{TimeRange}, bool[], string?[], int)"/>).</summary>
    internal sealed record SavedRange(DateTimeOffset Lower, DateTimeOffset Upper, DateTimeOffset? Reached, bool Done);

    internal static List<SavedRange> ReadSavedRanges(JsonElement state)
    {
        if (state.ValueKind != JsonValueKind.Object || !state.TryGetProperty("ranges", out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        const string Field = "state.users.ranges";
        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new ConfigException(Field, $"'{Field}' must be an array (it is written by this connector; remove it to restart from updated_at alone).");
        }

        var ranges = new List<SavedRange>();
        foreach (var item in list.EnumerateArray())
        {
            DateTimeOffset? Time(string name) => item.StringProperty(name) is { } text ? JsonInput.TryParseIso8601(text) : null;
            var lower = Time("lower");
            var upper = Time("upper");
            if (lower is null || upper is null || upper <= lower)
            {
                throw new ConfigException(Field, $"'{Field}' holds an entry without valid lower/upper timestamps; remove 'ranges' to restart from updated_at alone.");
            }

            var done = item.TryGetProperty("done", out var d) && d.ValueKind == JsonValueKind.True;
            ranges.Add(new SavedRange(lower.Value, upper.Value, Time("reached"), done));
        }

        return ranges.OrderBy(r => r.Lower).ToList();
    }

    /// <summary>
    /// The plan of a sync resuming an interrupted one: the lookback before its cursor, its unfinished
    /// ranges from where each had got to, and the time since it started, planned afresh. Finished
    /// ranges are skipped unless they are recent enough to hide an update the index showed late.
    /// </summary>
    private static async Task<List<TimeRange>> ResumePlanAsync(StreamContext context, DateTimeOffset start, DateTimeOffset cursor, List<SavedRange> saved, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var lagFloor = end - context.Config.Lookback;
        var plan = new List<TimeRange>();
        if (start < cursor)
        {
            plan.Add(new TimeRange(0, start, cursor, 0));
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
            plan.Add(new TimeRange(0, resume, range.Upper, 0));
        }

        var tail = saved.Max(r => r.Upper);
        if (tail < end)
        {
            plan.AddRange(await PlanAsync(context, tail, end, cancellationToken));
        }

        return plan.OrderBy(r => r.Lower).Select((r, i) => r with { Index = i }).ToList();
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

    /// <summary>
    /// Cuts the window into ranges of similar size, at most four per concurrent reader, by
    /// bisecting time with count queries; a small window is one range.
    /// </summary>
    private static async Task<List<TimeRange>> PlanAsync(StreamContext context, DateTimeOffset? start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var (total, earliest) = await CountAsync(context, start, end, cancellationToken);
        context.Messages.Estimate("users", total);
        var concurrency = context.Config.MaxConcurrency;
        var target = Math.Max(context.PageSize.Value * 10L, total / (concurrency * 4L));
        var pending = new List<TimeRange> { new(0, start, end, total) };
        if (concurrency == 1 || total <= target || earliest is null)
        {
            return pending;
        }

        // The first range starts at the earliest user: bisecting from the epoch would waste probes.
        pending[0] = pending[0] with { Lower = start ?? earliest };
        // Bisect level by level: all ranges still too large are split in parallel, at most
        // max_concurrency count queries at a time.
        var done = new List<TimeRange>();
        var probes = 0;
        using var slots = new SemaphoreSlim(concurrency);
        while (pending.Count > 0 && probes < concurrency * 8)
        {
            var splittable = pending.Where(r => r.Count > target && r.Upper - r.Lower!.Value >= TimeSpan.FromMilliseconds(2)).ToList();
            done.AddRange(pending.Except(splittable));
            pending = [];
            if (splittable.Count == 0)
            {
                break;
            }

            var halves = await Task.WhenAll(splittable.Select(async range =>
            {
                var lower = range.Lower!.Value;
                var middle = TruncateToMilliseconds(lower + ((range.Upper - lower) / 2));
                await slots.WaitAsync(cancellationToken);
                long left;
                try
                {
                    (left, _) = await CountAsync(context, lower, middle, cancellationToken);
                }
                finally
                {
                    slots.Release();
                }

                return new[] { new TimeRange(0, lower, middle, left), new TimeRange(0, middle, range.Upper, range.Count - left) };
            }));
            probes += splittable.Count;
            pending.AddRange(halves.SelectMany(h => h).Where(r => r.Count > 0));
        }

        var ranges = done.Concat(pending).OrderBy(r => r.Lower).Select((r, i) => r with { Index = i }).ToList();
        context.Messages.Log(LogLevel.Info, $"users: {total} users in {ranges.Count} ranges, read {Math.Min(concurrency, ranges.Count)} at a time ({probes} count queries)");
        return ranges.Count == 0 ? [new TimeRange(0, start, end, 0)] : ranges;
    }

    /// <summary>How many users a range holds, and the earliest updated_at among them.</summary>
    private static async Task<(long Total, DateTimeOffset? Earliest)> CountAsync(StreamContext context, DateTimeOffset? lower, DateTimeOffset upper, CancellationToken cancellationToken)
    {
        var query = $"updated_at:[{(lower is { } l ? Format(l) : "*")} TO {Format(upper)}}}";
        var uri = $"users?q={Uri.EscapeDataString(query)}&sort={Uri.EscapeDataString("updated_at:1")}&search_engine=v3&page=0&per_page=1&include_totals=true&fields=user_id,updated_at&include_fields=true";
        using var document = await context.Api.GetJsonAsync(uri, cancellationToken);
        var users = Paginators.Items(document.RootElement, "users", "users");
        var earliest = users.GetArrayLength() > 0 && UpdatedAt(users[0]) is { } at ? TryParseTimestamp(at) : null;
        return (Paginators.TotalOf(document.RootElement) ?? users.GetArrayLength(), earliest);
    }

    /// <summary>Walks one range along updated_at, page by page (see the class remarks).</summary>
    private static async IAsyncEnumerable<UserBatch> WalkAsync(StreamContext context, TimeRange range, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        DateTimeOffset? lower = range.Lower;
        var lowerInclusive = true;
        string? boundary = null;               // the updated_at of the last user delivered
        var deliveredAtBoundary = new HashSet<string>(StringComparer.Ordinal);
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
            var first = count > 0 ? UpdatedAt(users[0]) : null;
            var last = count > 0 ? UpdatedAt(users[count - 1]) : null;
            if (count == pageSize && first is not null && first == last)
            {
                // A full page of one instant: page through exactly that millisecond instead.
                document.Dispose();
                var instant = TryParseTimestamp(first) ?? throw new InvalidDataException($"users: updated_at '{first}' is not a timestamp.");
                await foreach (var batch in ReadInstantAsync(context, range, instant, first == boundary ? deliveredAtBoundary : null, cancellationToken))
                {
                    yield return batch;
                }

                boundary = null;
                deliveredAtBoundary.Clear();
                lower = instant;
                lowerInclusive = false;
                continue;
            }

            var fresh = new List<JsonElement>(count);
            foreach (var user in users.EnumerateArray())
            {
                var updatedAt = UpdatedAt(user);
                var id = UserId(user);
                if (updatedAt is not null && updatedAt == boundary && id is not null && !deliveredAtBoundary.Add(id))
                {
                    continue; // delivered by the previous request
                }

                if (updatedAt is not null && updatedAt != boundary)
                {
                    boundary = updatedAt;
                    deliveredAtBoundary.Clear();
                    if (id is not null)
                    {
                        deliveredAtBoundary.Add(id);
                    }
                }

                fresh.Add(user);
            }

            var complete = count < pageSize || last is null;
            yield return new UserBatch(document, fresh, range, boundary, complete);
            if (complete)
            {
                yield break;
            }

            lower = TryParseTimestamp(last!) ?? throw new InvalidDataException($"users: updated_at '{last}' is not a timestamp.");
            lowerInclusive = true;
        }
    }

    /// <summary>Every user updated at exactly <paramref name="instant"/>: offset paging up to 1000, else a users export.</summary>
    private static async IAsyncEnumerable<UserBatch> ReadInstantAsync(StreamContext context, TimeRange range, DateTimeOffset instant, HashSet<string>? alreadyDelivered, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = $"updated_at:[{Format(instant)} TO {Format(instant)}]";
        var reached = Format(instant);
        var delivered = 0;
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
        var uri = $"users?q={Uri.EscapeDataString(query)}&sort={Uri.EscapeDataString("updated_at:1")}&search_engine=v3&page={page}&per_page={pageSize}&include_totals={(totals ? "true" : "false")}";
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

    private static string StateJson(string updatedAt) => $"{{\"{Cursor}\":{JsonSerializer.Serialize(updatedAt, ConnectorJsonContext.Default.String)}}}";

    /// <summary>
    /// A checkpoint mid-sync: <c>updated_at</c> (everything before it is delivered; what Airbyte's
    /// source-auth0 reads) and the ranges from the earliest unfinished one on, each with its position.
    /// </summary>
    private static string StateJson(string updatedAt, List<TimeRange> ranges, bool[] completed, string?[] reached, int first)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString(Cursor, updatedAt);
            writer.WriteStartArray("ranges");
            for (var i = first; i < ranges.Count; i++)
            {
                writer.WriteStartObject();
                writer.WriteString("lower", ranges[i].Lower is { } lower ? Format(lower) : updatedAt);
                writer.WriteString("upper", Format(ranges[i].Upper));
                if (reached[i] is { } position)
                {
                    writer.WriteString("reached", position);
                }

                writer.WriteBoolean("done", completed[i]);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    internal static string Format(DateTimeOffset value) => value.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    internal static DateTimeOffset? TryParseTimestamp(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value) ? value : null;

    private static DateTimeOffset Max(DateTimeOffset value, DateTimeOffset? floor) => floor is { } f && f > value ? f : value;

    private static DateTimeOffset TruncateToMilliseconds(DateTimeOffset value) =>
        DateTimeOffset.FromUnixTimeMilliseconds(value.ToUnixTimeMilliseconds());
}
