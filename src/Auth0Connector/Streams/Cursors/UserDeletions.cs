using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Auth0Connector.Configuration;
using Auth0Connector.Foundation;
using Auth0Connector.Http;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams.Cursors;

/// <summary>
/// The users deleted since the last sync, from the tenant log: Auth0 keeps no tombstones, but writes every deletion
/// there. A log event records the successful deletion of a user when it is a <c>sdu</c> (the deleted user in its
/// <c>user_id</c>) or a <c>sapi</c> whose <c>details.request</c> is <c>delete</c> of <c>/api/v2/users/{url-encoded
/// user_id}</c> answered <c>details.response.statusCode</c> 204 (its own <c>user_id</c> is the actor's). Each deleted
/// user becomes one record, <c>{user_id, updated_at, _ab_cdc_deleted_at}</c> with the deletion's time in both (Airbyte's
/// convention: a destination in append-deduped mode removes the row or marks it deleted).
/// </summary>
/// <remarks>
/// The log is read as the logs stream reads it (<see cref="SequentialIdCursor"/>: checkpoint paging with
/// <c>from</c>/<c>take</c>, which ignores any other parameter, so every event since the checkpoint is read, paced in
/// the logs bucket): the log pages since the checkpoint, never a request per user. The two events of one deletion are
/// one record: a user whose deletion was emitted less than <see cref="SameDeletion"/> before is not emitted again,
/// across pages and, through the state's <c>recent</c> list, across a kill and resume.
/// </remarks>
internal static class UserDeletions
{
    /// <summary>The two log events of one deletion (its <c>sdu</c> and its <c>sapi</c>) are dated less than this apart.</summary>
    internal static readonly TimeSpan SameDeletion = TimeSpan.FromSeconds(10);

    private const string UsersPathPrefix = "/api/v2/users/";

    private static StreamDefinition Log => Definitions.Logs.Definition;

    private static SequentialIdCursor LogCursor => (SequentialIdCursor)Log.Cursor!;

    /// <summary>The user whose successful deletion <paramref name="logEvent"/> records; null for any other event.</summary>
    public static string? DeletedUser(JsonElement logEvent)
    {
        switch (logEvent.StringProperty("type"))
        {
            case "sdu":
                return logEvent.StringProperty("user_id") is { Length: > 0 } user ? user : null;
            case "sapi":
                if (!logEvent.TryGetProperty("details", out var details) || details.ValueKind != JsonValueKind.Object
                    || !details.TryGetProperty("request", out var request) || !details.TryGetProperty("response", out var response)
                    || !string.Equals(request.StringProperty("method"), "delete", StringComparison.OrdinalIgnoreCase)
                    || !IsNoContent(response)
                    || request.StringProperty("path") is not { } path)
                {
                    return null;
                }

                var segment = path.Split('?', 2)[0];
                if (!segment.StartsWith(UsersPathPrefix, StringComparison.Ordinal) || segment.Length == UsersPathPrefix.Length || segment.IndexOf('/', UsersPathPrefix.Length) >= 0)
                {
                    return null;
                }

                return Uri.UnescapeDataString(segment[UsersPathPrefix.Length..]) is { Length: > 0 } id ? id : null;
            default:
                return null;
        }
    }

    /// <summary>
    /// The users stream's deletions, read before its users: with a saved position, the deletion records of each log
    /// page since it, each page followed by the checkpoint (<paramref name="state"/> with the new position) that covers
    /// them; without one (a first sync, a full refresh, source-auth0's state) none, but where the log stands, recorded
    /// before any user is read, so a user deleted while this sync reads is the next sync's deletion. The position the
    /// users' own checkpoints carry is left in <paramref name="position"/>.
    /// </summary>
    public static async IAsyncEnumerable<StreamItem> ReadAsync(StreamContext context, JsonElement? state, StrongBox<DeletionsPosition?> position, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (state is not { } saved || DeletionsState.Read(saved) is not { } from)
        {
            position.Value = await NewestAsync(context, cancellationToken);
            yield break;
        }

        position.Value = from;
        long deleted = 0, pages = 0;
        await foreach (var (records, next) in SinceAsync(context, from, cancellationToken))
        {
            pages++;
            if (records is not null)
            {
                deleted += records.Count;
                yield return StreamItem.Deletions(records);
            }

            position.Value = next;
            yield return StreamItem.Checkpoint(UsersState.WithDeletions(saved, next));
        }

        if (pages > 0)
        {
            context.Messages.Log(LogLevel.Info, $"users: {deleted} user{(deleted == 1 ? string.Empty : "s")} deleted since the last sync, from {pages} page{(pages == 1 ? string.Empty : "s")} of the tenant log (now at log_id {position.Value.LogId}).");
        }
    }

    /// <summary>
    /// Where the log stands now (a first sync, a full refresh, a state that has no position): the newest event, from
    /// which the next sync reads the deletions. Null when the log cannot be read (said in a WARN) or holds no event.
    /// </summary>
    public static async Task<DeletionsPosition?> NewestAsync(StreamContext context, CancellationToken cancellationToken)
    {
        if (LacksLogScope(context))
        {
            return null;
        }

        try
        {
            if (await LogCursor.NewestAsync(Log, context, cancellationToken) is { } newest)
            {
                context.Messages.Log(LogLevel.Info, $"users: tracking deletions from the tenant log's newest event (log_id {newest.Id}{(newest.Date is { } d ? $", dated {d}" : string.Empty)}); the next incremental sync emits the users deleted after it.");
                return new DeletionsPosition(newest.Id, newest.Date, []);
            }

            context.Messages.Log(LogLevel.Info, "users: the tenant log has no events yet; deletions are tracked from the next sync on.");
            return null;
        }
        catch (Exception e) when (Unreadable(context, e, "deletions are tracked from the next sync on"))
        {
            return null;
        }
    }

    /// <summary>
    /// The deletions since <paramref name="saved"/>: per log page, its deletion records (null when it has none; the
    /// receiver disposes them) and the position after it. Nothing when the log cannot be read (said in a WARN).
    /// </summary>
    public static async IAsyncEnumerable<(JsonPage? Records, DeletionsPosition Position)> SinceAsync(StreamContext context, DeletionsPosition saved, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (LacksLogScope(context))
        {
            yield break;
        }

        await using var steps = WalkAsync(context, saved, cancellationToken).GetAsyncEnumerator(cancellationToken);
        DeletionsPosition? lastPosition = null;
        while (true)
        {
            try
            {
                if (!await steps.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (Exception e) when (Unreadable(context, e, $"the users deleted after log_id {(lastPosition ?? saved).LogId} come with the next sync"))
            {
                yield break;
            }

            lastPosition = steps.Current.Position;
            yield return steps.Current;
        }
    }

    private static async IAsyncEnumerable<(JsonPage? Records, DeletionsPosition Position)> WalkAsync(StreamContext context, DeletionsPosition saved, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var recent = new RecentDeletions(saved);
        var after = saved.LogId;
        if (!await SequentialIdCursor.ExistsAsync(Log, context, saved.LogId, cancellationToken))
        {
            using var oldest = await LogCursor.OldestAsync(Log, context, cancellationToken);
            if (oldest?.RootElement is not { } first)
            {
                WarnGap(context, saved, null);
                yield break;
            }

            var firstId = first.StringProperty("log_id")!;
            if (SequentialIdCursor.Compare(firstId, saved.LogId) > 0)
            {
                // Aged out of the tenant's retention: what was deleted between the two cannot be seen any more.
                WarnGap(context, saved, first.StringProperty("date") ?? $"log_id {firstId}");
                yield return (recent.Scan([first]), recent.PositionAt(firstId, first.StringProperty("date")));
                after = firstId;
            }
            else if (await LogCursor.NewestAsync(Log, context, cancellationToken) is { } newest && SequentialIdCursor.Compare(saved.LogId, newest.Id) > 0)
            {
                // Not this tenant's position: kept as it is (as every cursor keeps one), no deletion read from it.
                context.Messages.Log(LogLevel.Warn, $"users: the saved deletions position state.users.deletions.log_id {saved.LogId} is after the newest event of this tenant's log ({newest.Id}): the state is damaged or another tenant's. No deletion is read in this sync and the position is kept as it is; the users are read as usual. To track deletions again, remove 'deletions' from the users state (the next sync starts from the log's newest event), and run a users full refresh to drop users deleted meanwhile.");
                yield break;
            }

            // Otherwise only the saved event itself went (older ones remain): reading on after it misses nothing.
        }

        await foreach (var (page, last, date, _) in LogCursor.PagesAfterAsync(Log, context, after, cancellationToken))
        {
            JsonPage? records;
            using (page)
            {
                records = recent.Scan(page.Items.EnumerateArray());
            }

            yield return (records, recent.PositionAt(last, date));
        }
    }

    private static bool IsNoContent(JsonElement response) =>
        response.ValueKind == JsonValueKind.Object && response.TryGetProperty("statusCode", out var status)
        && ((status.ValueKind == JsonValueKind.Number && status.TryGetInt32(out var code) && code == 204) || (status.ValueKind == JsonValueKind.String && status.ValueEquals("204")));

    /// <summary>
    /// Whether <paramref name="error"/>, met reading the log, only costs this sync its deletions (said in a WARN, with
    /// <paramref name="then"/>): a missing read:logs, or the log failing after retries. The users are read as usual,
    /// and the position stays where the last page read left it, so no deletion is lost. The credentials refused, or
    /// a tenant that cannot be reached, stop the users stream as they would stop any.
    /// </summary>
    private static bool Unreadable(StreamContext context, Exception error, string then)
    {
        switch (error)
        {
            case Auth0ApiException api when ErrorResolution.For(api) == ErrorAction.MissingScope:
                WarnNoLogScope(context);
                return true;
            case Auth0ApiException api when ErrorResolution.For(api) is not (ErrorAction.RenewToken or ErrorAction.StopSync):
            case Auth0TransportException { Unreachable: false }:
            case InvalidDataException:
                context.Messages.Log(LogLevel.Warn, $"users: the tenant log could not be read for deletions ({error.Message.TrimEnd('.')}); the users are read as usual, and {then}.");
                return true;
            default:
                return false;
        }
    }

    /// <summary>Whether the token is known to lack read:logs (then no log request is sent, and the WARN says so).</summary>
    private static bool LacksLogScope(StreamContext context)
    {
        if (context.GrantedScopes is { } granted && Log.Scopes.Any(s => !granted.Contains(s)))
        {
            WarnNoLogScope(context);
            return true;
        }

        return false;
    }

    private static void WarnNoLogScope(StreamContext context) =>
        context.Messages.Log(LogLevel.Warn, "users: deletions cannot be tracked without the read:logs scope (Auth0 records deletions only in the tenant log): users deleted in Auth0 stay in the destination as if active. Grant read:logs to the application; until then a users full refresh now and then drops them.");

    private static void WarnGap(StreamContext context, DeletionsPosition saved, string? oldest)
    {
        var since = saved.Date ?? $"log_id {saved.LogId}";
        var until = oldest is null ? "now (the log holds no events)" : $"{oldest} (the oldest event the log still holds)";
        context.Messages.Log(LogLevel.Warn, $"users: the tenant log no longer reaches back to where the last sync stopped tracking deletions (log_id {saved.LogId}): users deleted between {since} and {until} cannot be seen, and may still be in the destination as if active. Run a users full refresh to drop them; sync more often than the log's retention (1 day on Free, a few days on Essentials, longer on higher plans) to avoid gaps.");
    }

    /// <summary>The deletions emitted lately, by user: the second log event of one deletion is not a second deletion.</summary>
    private sealed class RecentDeletions
    {
        private readonly Dictionary<string, long> _emitted = new(StringComparer.Ordinal);

        public RecentDeletions(DeletionsPosition saved)
        {
            var at = saved.Date is { } date && JsonInput.TryParseIso8601(date) is { } when ? when.UtcTicks : long.MinValue / 2;
            foreach (var user in saved.Recent)
            {
                _emitted[user] = at;
            }
        }

        /// <summary>The deletion records of <paramref name="events"/>, each user once; null when there are none.</summary>
        public JsonPage? Scan(IEnumerable<JsonElement> events)
        {
            var buffer = new ArrayBufferWriter<byte>();
            var count = 0;
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartArray();
                foreach (var logEvent in events)
                {
                    if (DeletedUser(logEvent) is not { } user)
                    {
                        continue;
                    }

                    var date = logEvent.StringProperty("date") is { } text ? JsonInput.TryParseIso8601(text) : null;
                    var when = date ?? throw new InvalidDataException($"{Auth0ApiClient.PathOf(Log.Path)} answered a deletion event (log_id {logEvent.StringProperty("log_id") ?? "none"}) without a valid 'date'; the users stream stops rather than emit a deletion at a made-up time.");
                    if (_emitted.TryGetValue(user, out var previous) && Math.Abs(when.UtcTicks - previous) < SameDeletion.Ticks)
                    {
                        continue;
                    }

                    _emitted[user] = when.UtcTicks;
                    var time = UsersCursor.Format(when);
                    writer.WriteStartObject();
                    writer.WriteString("user_id", user);
                    writer.WriteString(UsersCursor.UpdatedAt, time);
                    writer.WriteString(DeletedAt, time);
                    writer.WriteEndObject();
                    count++;
                }

                writer.WriteEndArray();
            }

            if (count == 0)
            {
                return null;
            }

            var document = JsonDocument.Parse(buffer.WrittenMemory);
            return new JsonPage(document, document.RootElement);
        }

        /// <summary>The position after the event <paramref name="logId"/>, with the users deleted in the seconds before it.</summary>
        public DeletionsPosition PositionAt(string logId, string? date)
        {
            var at = date is not null && JsonInput.TryParseIso8601(date) is { } when ? when.UtcTicks : long.MaxValue;
            foreach (var stale in _emitted.Where(e => e.Value < at - SameDeletion.Ticks).Select(e => e.Key).ToList())
            {
                _emitted.Remove(stale);
            }

            var recent = _emitted.OrderByDescending(e => e.Value).Take(DeletionsState.MaxRecent).Select(e => e.Key).ToList();
            return new DeletionsPosition(logId, date, recent);
        }
    }

    /// <summary>The field Airbyte's destinations read as "this row was deleted at".</summary>
    public const string DeletedAt = "_ab_cdc_deleted_at";
}
