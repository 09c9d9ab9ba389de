using System.Text.Json;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams.Cursors;

/// <summary>
/// What every cursor does with a saved position it cannot have written: one after the sync's start (a users
/// <c>updated_at</c> or a stats day in the future, a log id after the tenant's newest event) is a damaged state,
/// one from a machine with a wrong clock, or another tenant's. Reading from it would find nothing, and refusing it
/// would fail every sync (Airbyte's <c>test_state_with_abnormally_large_values</c> expects exit 0, no records and a
/// STATE). So the stream reads nothing, says so in a WARN naming the value and how to reset it, and keeps its state
/// as it was: nothing is lost once the clock passes it or the stream is reset. A cursor before 2000 (before Auth0)
/// is read from like any other. The server's own future timestamps never move a cursor past the sync's start, so a
/// sync never writes such a state itself.
/// </summary>
internal static class SavedCursor
{
    /// <summary>Before Auth0 existed: no record is older, so reading from an earlier cursor reads from the beginning.</summary>
    public static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Whether a saved <paramref name="value"/> is after the sync's start, <paramref name="now"/>.</summary>
    public static bool IsAfter(DateTimeOffset value, DateTimeOffset now) => value > now;

    /// <summary>
    /// The stream reads nothing this sync: a WARN naming <paramref name="stream"/>, the saved <paramref name="value"/>
    /// (<paramref name="field"/>, and <paramref name="why"/> it cannot be a position of this tenant) and how to reset
    /// it, then the <paramref name="state"/> unchanged as the stream's STATE.
    /// </summary>
    public static IEnumerable<StreamItem> KeepUnread(StreamContext context, string stream, string field, string value, string why, JsonElement state)
    {
        context.Messages.Log(LogLevel.Warn, $"{stream}: the saved {field} {value} is {why}: the state is damaged, from a machine with a wrong clock, or another tenant's. Nothing is read for {stream} in this sync and its state is kept as it is. To read {stream} again, reset the stream (in Airbyte: clear or refresh the {stream} stream's data; by hand: remove {stream}'s entry from the state file).");
        return [StreamItem.Checkpoint(Compact(state))];
    }

    /// <summary>A state as one line of JSON (a state file may be pretty-printed; a STATE message is one line).</summary>
    private static string Compact(JsonElement state)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            state.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
