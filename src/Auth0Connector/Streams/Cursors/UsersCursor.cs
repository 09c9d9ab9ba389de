using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams.Cursors;

/// <summary>
/// The users stream's cursor: full refresh or incremental on <c>updated_at</c>, read through the
/// search (engine v3) in three parts: <see cref="UsersPlanner"/> cuts the sync's window into ranges,
/// <see cref="UsersWalker"/> walks each range, <see cref="UsersCheckpointer"/> turns the walkers'
/// progress into STATE checkpoints.
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
internal sealed class UsersCursor : StreamCursor
{
    public const string UpdatedAt = "updated_at";
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public override string Field => UpdatedAt;

    /// <summary>A tenant without users yet ends a sync with its deletions position alone.</summary>
    public override IReadOnlyList<string> StateFields => [DeletionsState.Property];

    public override void ValidateState(JsonElement state)
    {
        _ = UsersState.ReadCursor(state);
        _ = UsersState.ReadSavedRanges(state);
        _ = DeletionsState.Read(state);
    }

    /// <summary>
    /// Reads the users search itself (<c>GET /api/v2/users</c>, engine v3, the <c>users</c>
    /// envelope), whose queries are this cursor's own: the definition's path names the endpoint
    /// (README's table) and its probe is check's; its paginator is not used.
    /// </summary>
    public override async IAsyncEnumerable<StreamItem> ReadAsync(StreamDefinition definition, StreamContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var state = context.Mode == SyncMode.Incremental ? context.State : null;
        var now = context.Time.GetUtcNow();
        var stateCursor = state is { } st ? UsersState.ReadCursor(st) : null;
        var saved = state is { } s2 && stateCursor is not null ? UsersState.ReadSavedRanges(s2) : [];
        if (UsersState.After(stateCursor, saved, now) is { } future)
        {
            foreach (var item in SavedCursor.KeepUnread(context, definition.Name, future.Field, Format(future.Value), $"after this sync's start ({Format(now)})", state!.Value))
            {
                yield return item;
            }

            yield break;
        }

        // Deletions first: a user deleted and created again since the last sync then ends as the new user, whose
        // record (with a later updated_at) follows its deletion's.
        var deletions = new StrongBox<DeletionsPosition?>();
        await foreach (var item in UserDeletions.ReadAsync(context, state, deletions, cancellationToken))
        {
            yield return item;
        }

        var ranges = await UsersPlanner.PlanSyncAsync(context, stateCursor, saved, now, cancellationToken);
        var checkpointer = new UsersCheckpointer(ranges, stateCursor, deletions.Value);
        // One export job serves every instant of the sync that the search cannot read.
        var export = new UsersExportJob(context);
        // A fresh plan counted the window's users: what the walk must deliver (a resumed one did not count them all).
        long? planned = saved.Count == 0 ? ranges.Sum(r => r.Count) : null;
        long delivered = 0;
        var batches = FanOut.ItemsAsync(
            ranges.ToAsyncEnumerable(),
            (range, token) => UsersWalker.WalkAsync(context, range, export, token),
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

                delivered += batch.Users.Count;

                if (checkpointer.Record(batch))
                {
                    var index = batch.Range.Index;
                    context.Messages.Log(LogLevel.Info, $"users: range {index + 1}/{ranges.Count} {UsersPlanner.Describe(ranges[index].Lower, true, ranges[index].Upper)} complete");
                }
            }

            if (checkpointer.Checkpoint() is { } json)
            {
                yield return StreamItem.Checkpoint(json);
            }
        }

        yield return StreamItem.Checkpoint(checkpointer.Final());
        if (planned is { } counted)
        {
            yield return StreamItem.Reconciled(await ReconcileAsync(context, ranges, counted, delivered, cancellationToken));
        }
    }

    /// <summary>
    /// The walk's users against the plan's count of the window. Fewer delivered than counted: the window is counted
    /// again (one request), since users updated or deleted during the sync leave it; only a shortfall beyond that counts.
    /// </summary>
    private static async Task<Reconciliation> ReconcileAsync(StreamContext context, List<UsersRange> ranges, long counted, long delivered, CancellationToken cancellationToken)
    {
        var tally = new ListingTally();
        var now = delivered < counted ? await UsersPlanner.RecountAsync(context, ranges[0].Lower, ranges[^1].Upper, cancellationToken) : counted;
        tally.Add(counted, now, delivered);
        return tally.Result!;
    }

    internal static string Format(DateTimeOffset value) => value.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    internal static DateTimeOffset? TryParseTimestamp(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value) ? value : null;

    internal static DateTimeOffset TruncateToMilliseconds(DateTimeOffset value) =>
        DateTimeOffset.FromUnixTimeMilliseconds(value.ToUnixTimeMilliseconds());
}
