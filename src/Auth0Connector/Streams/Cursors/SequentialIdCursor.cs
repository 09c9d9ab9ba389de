using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Auth0Connector.Configuration;
using Auth0Connector.Foundation;
using Auth0Connector.Http;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams.Cursors;

/// <summary>
/// An incremental cursor on a sequential id (Auth0's <c>log_id</c>: equal-length decimal strings that grow
/// with ingestion), read by checkpoint paging: <c>from</c> = the last id delivered (exclusive), <c>take</c> =
/// the page size, ascending by id, unbounded (no 1000-result cap). The state is the last id and its event's date,
/// written after every page, so a killed sync resumes where its last STATE was.
/// </summary>
/// <remarks>
/// <para>
/// Without a state (the first sync, and every full refresh) the walk starts at the oldest retained event, or at
/// <c>start_date</c>: one search request sorted by date, of which the smallest id is taken (date order and id order
/// differ slightly). With a state the saved id is looked up first; when the tenant no longer has it (404: it aged
/// out of the plan's retention) a WARN says which events may have been missed, and the walk goes on from the oldest
/// retained event. A saved id after the tenant's newest event is no position of this tenant: the stream reads
/// nothing, warns and keeps its state (<see cref="SavedCursor"/>). A page that does not move past the id it started from, or a page answered twice, ends the
/// stream with an error instead of a loop (<see cref="ProgressGuard"/>). The walk ends on an empty page, or once it
/// reaches events dated after the sync began (so a tenant logging faster than it can be read is never chased).
/// </para>
/// </remarks>
internal sealed class SequentialIdCursor(string stream, string idField, string dateField) : StreamCursor
{
    public override string Field => idField;

    /// <summary>Ids of equal length compare as text; a shorter id is a smaller number.</summary>
    public static int Compare(string a, string b) =>
        a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);

    public override void ValidateState(JsonElement state) => _ = SequentialIdState.Read(state, stream, idField, dateField);

    public override async IAsyncEnumerable<StreamItem> ReadAsync(StreamDefinition definition, StreamContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var saved = context.Mode == SyncMode.Incremental && context.State is { } state
            ? SequentialIdState.Read(state, stream, idField, dateField)
            : null;
        string? after = saved?.Id;
        if (saved is { } position && !await ExistsAsync(definition, context, position.Id, cancellationToken))
        {
            // Aged out of the tenant's retention: continue from the oldest retained event (found below).
            after = null;
        }

        if (after is null)
        {
            using var oldest = await OldestAsync(definition, context, cancellationToken);
            if (oldest?.RootElement is not { } first)
            {
                Lost(context, saved, first: null);
                context.Messages.Log(LogLevel.Info, $"{stream}: the tenant has no events{(context.Config.StartDate is { } s ? $" since start_date {Format(s)}" : string.Empty)}.");
                yield break;
            }

            var id = first.StringProperty(idField)!;
            if (saved is { } gone && Compare(id, gone.Id) <= 0)
            {
                if (await NewestAsync(definition, context, cancellationToken) is { } newest && Compare(gone.Id, newest.Id) > 0)
                {
                    // Reading after it would never find an event: not this tenant's position, kept unread.
                    foreach (var item in SavedCursor.KeepUnread(context, stream, idField, gone.Id, $"after the newest event of this tenant ({idField} {newest.Id})", context.State!.Value))
                    {
                        yield return item;
                    }

                    yield break;
                }

                // Only the saved event itself went (older ones remain): reading on after it misses nothing.
                after = gone.Id;
            }
            else
            {
                Lost(context, saved, first);
                var oldestKind = context.Config.StartDate is { } since ? $"oldest event since start_date {Format(since)}" : "oldest retained event";
                context.Messages.Log(LogLevel.Info, $"{stream}: starting at the {oldestKind} ({idField} {id}{(first.StringProperty(dateField) is { } dated ? $", dated {dated}" : string.Empty)}), then reading the events after it ({ModeName(context)})");
                yield return StreamItem.Of(first.Clone());
                yield return StreamItem.Checkpoint(SequentialIdState.Json(idField, id, dateField, first.StringProperty(dateField)));
                after = id;
            }
        }

        if (saved is { } kept && after == kept.Id)
        {
            context.Messages.Log(LogLevel.Info, $"{stream}: reading the events after the saved {idField} {after} ({ModeName(context)})");
            // The position holds even when nothing new arrived.
            yield return StreamItem.Checkpoint(SequentialIdState.Json(idField, kept.Id, dateField, kept.Date));
        }

        await foreach (var item in WalkAsync(definition, context, after, cancellationToken))
        {
            yield return item;
        }
    }

    /// <summary>
    /// Checkpoint pages after <paramref name="after"/> (exclusive), each followed by the state at its last id. Ends on
    /// an empty page, or after a page reaching events dated after the sync began: a busy tenant's new events belong
    /// to the next sync, which starts where this one stopped.
    /// </summary>
    private async IAsyncEnumerable<StreamItem> WalkAsync(StreamDefinition definition, StreamContext context, string after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (page, last, date, final) in PagesAfterAsync(definition, context, after, cancellationToken))
        {
            yield return StreamItem.Of(page);
            yield return StreamItem.Checkpoint(SequentialIdState.Json(idField, last, dateField, date));
            if (final)
            {
                context.Messages.Log(LogLevel.Info, $"{stream}: reached events dated after the sync began ({date}); the next sync reads on from {idField} {last}.");
            }
        }
    }

    /// <summary>
    /// The non-empty checkpoint pages after <paramref name="after"/> (exclusive), each with its greatest id and that
    /// event's date; the page that reaches events dated after the sync began is the last (<c>Final</c>). The receiver
    /// disposes each page. A page not moving past the id it started from ends the walk with an error.
    /// </summary>
    internal async IAsyncEnumerable<(JsonPage Page, string Last, string? Date, bool Final)> PagesAfterAsync(StreamDefinition definition, StreamContext context, string after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = context.Time.GetUtcNow();
        var guard = new ProgressGuard(definition.Path);
        while (true)
        {
            var (document, _) = await context.PageSize.GetAsync(context.Api, size => ApiPath.WithQuery(definition.Path, ("from", after), ("take", size)), cancellationToken);
            var page = Paginators.ToPage(document, definition.RecordsProperty, definition.Path);
            if (page.Count == 0)
            {
                page.Dispose();
                yield break;
            }

            guard.Page(page.Items, page);
            var (last, date) = Newest(page, after, definition.Path);
            var final = date is not null && JsonInput.TryParseIso8601(date) >= started;
            yield return (page, last, date, final);
            if (final)
            {
                yield break;
            }

            guard.Next(last);
            after = last;
        }
    }

    /// <summary>The greatest id of a page and its event's date; a page not past <paramref name="after"/> is a server going backwards.</summary>
    private (string Id, string? Date) Newest(JsonPage page, string after, string path)
    {
        string? last = null, date = null;
        try
        {
            foreach (var record in page.Items.EnumerateArray())
            {
                if (IdOf(record, path) is { } id && (last is null || Compare(id, last) > 0))
                {
                    (last, date) = (id, record.StringProperty(dateField));
                }
            }
        }
        catch
        {
            page.Dispose();
            throw;
        }

        if (last is null || Compare(last, after) <= 0)
        {
            page.Dispose();
            throw new InvalidDataException($"{Auth0ApiClient.PathOf(path)} answered {(last is null ? $"events without a '{idField}'" : $"no event after {idField} {after}")} when asked for the next ones; stopping instead of reading the same events again. The tenant or a proxy in front of it is misbehaving: try again later, and report it if it persists.");
        }

        return (last, date);
    }

    /// <summary>
    /// A record's id; null when it has none. An id that is not one (not 1 to 64 digits) is refused here, before
    /// the record is emitted or its id saved as a state the next sync would refuse as damaged.
    /// </summary>
    private string? IdOf(JsonElement record, string path) =>
        record.StringProperty(idField) is not { } id ? null
        : SequentialIdState.IsId(id) ? id
        : throw new InvalidDataException($"{Auth0ApiClient.PathOf(path)} answered an event whose '{idField}' is not an id of up to 64 digits (a text of {id.Length} characters); the stream stops rather than save it as its position.");

    /// <summary>Whether the tenant still has the event <paramref name="id"/> (404: aged out of its retention, or never existed).</summary>
    internal static async Task<bool> ExistsAsync(StreamDefinition definition, StreamContext context, string id, CancellationToken cancellationToken)
    {
        try
        {
            using var _ = await context.Api.GetJsonAsync($"{definition.Path}/{ApiPath.Segment(id)}", cancellationToken);
            return true;
        }
        catch (Auth0ApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>
    /// The oldest retained event (at or after <c>start_date</c> when set), or null when there is none: one search
    /// request sorted by date, and of its page the smallest id, since ids and dates are not in the same order.
    /// </summary>
    internal async Task<JsonDocument?> OldestAsync(StreamDefinition definition, StreamContext context, CancellationToken cancellationToken)
    {
        var query = context.Config.StartDate is { } start ? $"{dateField}:[{Format(start)} TO *]" : null;
        var (document, _) = await context.PageSize.GetAsync(context.Api, size => ApiPath.WithQuery(definition.Path, ("q", query), ("sort", $"{dateField}:1"), ("page", 0), ("per_page", size)), cancellationToken);
        using var page = Paginators.ToPage(document, definition.RecordsProperty, definition.Path);
        JsonElement? oldest = null;
        foreach (var record in page.Items.EnumerateArray())
        {
            if (IdOf(record, definition.Path) is { } id && (oldest is not { } o || Compare(id, o.StringProperty(idField)!) < 0))
            {
                oldest = record;
            }
        }

        if (oldest is null && page.Count > 0)
        {
            throw new InvalidDataException($"{Auth0ApiClient.PathOf(definition.Path)} answered events without a '{idField}' when asked for the oldest one; the stream stops rather than report that the tenant has no events. The tenant or a proxy in front of it is misbehaving: try again later, and report it if it persists.");
        }

        return oldest is { } found ? JsonDocument.Parse(found.GetRawText(), ServerJson.Options) : null;
    }

    /// <summary>
    /// The id and date of the tenant's newest event (null: none): one request. Asked about a saved id the tenant does not
    /// have but not older than its oldest event (either it aged out just before an event of a slightly smaller id, or it
    /// never was this tenant's: one past the newest event would make every sync read after it and find nothing, forever),
    /// and by <see cref="UserDeletions"/> for where the log stands when it starts tracking deletions.
    /// </summary>
    internal async Task<(string Id, string? Date)?> NewestAsync(StreamDefinition definition, StreamContext context, CancellationToken cancellationToken)
    {
        var path = ApiPath.WithQuery(definition.Path, ("sort", $"{dateField}:-1"), ("page", 0), ("per_page", 1));
        using var page = Paginators.ToPage(await context.Api.GetJsonAsync(path, cancellationToken), definition.RecordsProperty, path);
        return page.Count > 0 && IdOf(page.Items[0], path) is { } id ? (id, page.Items[0].StringProperty(dateField)) : null;
    }

    /// <summary>Warns when a saved position aged out: events between it and the oldest retained one may be missing.</summary>
    private void Lost(StreamContext context, SequentialIdState.Position? saved, JsonElement? first)
    {
        if (saved is not { } gone)
        {
            return;
        }

        var since = gone.Date ?? $"{idField} {gone.Id}";
        var until = first is { } f ? $"{f.StringProperty(dateField) ?? f.StringProperty(idField)} (the oldest event the tenant still has)" : "now (the tenant has no events left)";
        context.Messages.Log(LogLevel.Warn, $"{stream}: the saved position ({idField} {gone.Id}) is no longer retained by the tenant (Auth0 keeps logs 1 to 30 days, by plan): events between {since} and {until} may have been missed. Reading on from the oldest retained event; sync more often than the retention period to avoid gaps.");
    }

    private static string ModeName(StreamContext context) => context.Mode == SyncMode.Incremental ? "incremental" : "full refresh";

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
