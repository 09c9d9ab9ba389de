using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Auth0Connector.Configuration;
using Auth0Connector.Foundation;
using Auth0Connector.Http;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams.Cursors;

/// <summary>
/// A cursor on a day (<c>stats_daily</c>'s <c>date</c>, midnight UTC): one request for the days from the saved day
/// on (<c>from=YYYYMMDD</c>, inclusive), so the last saved day is read again, because its row, today's when it was
/// saved, kept changing after that sync. Full refresh asks from <c>start_date</c>'s day, or for every day. The state
/// is <c>{"date": "2025-01-31T00:00:00.000Z"}</c>, checkpointed once at the end (one response); it never passes the
/// sync's own day, so a row stamped in the future cannot make later syncs skip days. A saved day after the sync's
/// start is not read from (<see cref="SavedCursor"/>): nothing is requested and the state is kept.
/// </summary>
internal sealed class DateCursor(string stream, string cursorField) : StreamCursor
{
    private const string DayFormat = "yyyy-MM-dd'T'00:00:00.000'Z'";

    public override string Field => cursorField;

    private string StateField => $"state.{stream}.{cursorField}";

    public override void ValidateState(JsonElement state) => _ = ReadDay(state);

    public override async IAsyncEnumerable<StreamItem> ReadAsync(StreamDefinition definition, StreamContext context, [EnumeratorCancellation] CancellationToken ct)
    {
        var now = context.Time.GetUtcNow();
        var saved = context.Mode == SyncMode.Incremental && context.State is { } state ? ReadDay(state) : null;
        if (saved is { } future && SavedCursor.IsAfter(future, now))
        {
            foreach (var item in SavedCursor.KeepUnread(context, stream, cursorField, Format(future), $"after this sync's start ({Format(DayOf(now))})", context.State!.Value))
            {
                yield return item;
            }

            yield break;
        }

        var from = Later(saved, context.Config.StartDate is { } start ? DayOf(start) : null);
        context.Messages.Log(LogLevel.Info, from is { } f
            ? $"{stream}: reading the days from {Format(f)}{(f == saved ? " (the last synced day again: its row may have changed since)" : string.Empty)}"
            : $"{stream}: reading every day");
        var path = ApiPath.WithQuery(definition.Path, ("from", from?.ToString("yyyyMMdd", CultureInfo.InvariantCulture)));
        var page = Paginators.ToPage(await context.Api.GetJsonAsync(path, ct), definition.RecordsProperty, path);
        // The page is disposed once written: take the newest day first. A day after the sync's own is not saved.
        var newest = Later(saved, NewestDay(page.Items, SavedCursor.Earliest.AddDays(-1), DayOf(now)));
        yield return StreamItem.Of(page);
        yield return StreamItem.Checkpoint(newest is { } day ? $$"""{"{{cursorField}}":"{{Format(day)}}"}""" : "{}");
    }

    /// <summary>The saved day of a state object; null when it has none. A malformed one is a config_error naming the stream.</summary>
    private DateTimeOffset? ReadDay(JsonElement state)
    {
        if (state.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigException($"state.{stream}", $"The {stream} state must be an object like {{\"{cursorField}\": \"2025-01-31T00:00:00.000Z\"}}, not {JsonInput.Describe(state)}.");
        }

        var text = JsonInput.OptionalString(state, cursorField, StateField);
        if (text is null)
        {
            return null;
        }

        return JsonInput.TryParseIso8601(text) is { } parsed ? DayOf(parsed) : throw new ConfigException(StateField,
            $"'{StateField}' of the {stream} state is not a day (e.g. 2025-01-31T00:00:00.000Z): the state is damaged. Fix it, or remove the {stream} state to read every day again.");
    }

    /// <summary>The latest day of the rows' <see cref="Field"/> not after <paramref name="latest"/>; null when no row has one.</summary>
    private DateTimeOffset? NewestDay(JsonElement rows, DateTimeOffset before, DateTimeOffset latest)
    {
        var newest = before;
        foreach (var row in rows.EnumerateArray())
        {
            if (row.StringProperty(cursorField) is { } text && JsonInput.TryParseIso8601(text) is { } value && DayOf(value) is var day && day > newest)
            {
                newest = day < latest ? day : latest;
            }
        }

        return newest > before ? newest : null;
    }

    private static DateTimeOffset DayOf(DateTimeOffset time) => new(time.UtcDateTime.Date, TimeSpan.Zero);

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private static string Format(DateTimeOffset day) => day.UtcDateTime.ToString(DayFormat, CultureInfo.InvariantCulture);
}
