using System.Text.Json;
using Auth0Connector.Configuration;
using Auth0Connector.Foundation;

namespace Auth0Connector.Streams.Cursors;

/// <summary>
/// The users stream's state: <c>updated_at</c> (what Airbyte's source-auth0 reads and writes) and,
/// mid-sync, the unfinished ranges with their positions. Whatever a state file holds, it is either
/// well-formed or a config_error naming the field; at most <see cref="MaxSavedRanges"/> ranges are
/// kept (more are merged), so a STATE line stays small. A time after the sync's start is not refused
/// here: <see cref="After"/> finds it, and the read keeps the state unread (<see cref="SavedCursor"/>).
/// </summary>
internal static class UsersState
{
    /// <summary>Ranges a state keeps at most: a few dozen is what a sync writes; more are merged on reading.</summary>
    internal const int MaxSavedRanges = 256;


    /// <summary>A range an interrupted sync saved beside its cursor.</summary>
    internal sealed record SavedRange(DateTimeOffset Lower, DateTimeOffset Upper, DateTimeOffset? Reached, bool Done);

    /// <summary>The <c>updated_at</c> of a users state object; null for an empty state.</summary>
    internal static DateTimeOffset? ReadCursor(JsonElement state)
    {
        if (state.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigException("state.users", $"The users state must be an object like {{\"updated_at\": \"2024-01-01T00:00:00.000Z\"}}, not {JsonInput.Describe(state)}.");
        }

        const string Field = "state.users.updated_at";
        var text = JsonInput.OptionalString(state, UsersCursor.UpdatedAt, Field);
        if (text is null)
        {
            return null;
        }

        return JsonInput.TryParseIso8601(text) ?? throw new ConfigException(Field, $"'{Field}' is '{Shorten(text)}', which is not an ISO-8601 date-time. Fix it (e.g. 2024-01-01T00:00:00.000Z) or remove the users state to read every user again.");
    }

    /// <summary>The first of the state's times after the sync's start (<paramref name="now"/>), as (field, value); null when none is.</summary>
    internal static (string Field, DateTimeOffset Value)? After(DateTimeOffset? cursor, List<SavedRange> ranges, DateTimeOffset now)
    {
        if (cursor is { } c && SavedCursor.IsAfter(c, now))
        {
            return (UsersCursor.UpdatedAt, c);
        }

        foreach (var range in ranges)
        {
            var latest = range.Reached is { } r && r > range.Upper ? r : range.Upper;
            if (SavedCursor.IsAfter(latest, now))
            {
                return ("ranges", latest);
            }
        }

        return null;
    }

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
            var reached = Time("reached");
            if (lower is null || upper is null || upper <= lower)
            {
                throw new ConfigException(Field, $"'{Field}' holds an entry without valid lower/upper timestamps; remove 'ranges' to restart from updated_at alone.");
            }

            var done = item.TryGetProperty("done", out var d) && d.ValueKind == JsonValueKind.True;
            ranges.Add(new SavedRange(lower.Value, upper.Value, reached, done));
        }

        return Compact([.. ranges.OrderBy(r => r.Lower)]);
    }

    /// <summary>
    /// Merges neighbouring ranges until at most <see cref="MaxSavedRanges"/> remain. A merged range
    /// resumes where its first unfinished part had got to: what lies after is read again (at least
    /// once, never lost).
    /// </summary>
    internal static List<SavedRange> Compact(List<SavedRange> ranges)
    {
        if (ranges.Count <= MaxSavedRanges)
        {
            return ranges;
        }

        var size = (ranges.Count + MaxSavedRanges - 1) / MaxSavedRanges;
        return [.. ranges.Chunk(size).Select(group =>
        {
            var open = group.FirstOrDefault(r => !r.Done);
            DateTimeOffset? reached = open is null ? null : open.Reached ?? open.Lower;
            return new SavedRange(group[0].Lower, group.Max(r => r.Upper), reached == group[0].Lower ? null : reached, open is null);
        })];
    }

    /// <summary>The final state: the cursor (when any user was seen) and where the log stands for deletions (when known).</summary>
    internal static string Json(string? updatedAt, DeletionsPosition? deletions) => Write(writer =>
    {
        if (updatedAt is not null)
        {
            writer.WriteString(UsersCursor.UpdatedAt, updatedAt);
        }

        if (deletions is not null)
        {
            DeletionsState.Write(writer, deletions);
        }
    });

    /// <summary>
    /// A checkpoint mid-sync: <c>updated_at</c> (everything before it is delivered; what Airbyte's
    /// source-auth0 reads), the ranges from the earliest unfinished one on, each with its position, and
    /// where the log stands for deletions.
    /// </summary>
    internal static string Json(string updatedAt, List<UsersRange> ranges, bool[] completed, string?[] reached, int first, DeletionsPosition? deletions) => Write(writer =>
    {
        writer.WriteString(UsersCursor.UpdatedAt, updatedAt);
        writer.WriteStartArray("ranges");
        for (var i = first; i < ranges.Count; i++)
        {
            writer.WriteStartObject();
            writer.WriteString("lower", ranges[i].Lower is { } lower ? UsersCursor.Format(lower) : updatedAt);
            writer.WriteString("upper", UsersCursor.Format(ranges[i].Upper));
            if (reached[i] is { } position)
            {
                writer.WriteString("reached", position);
            }

            writer.WriteBoolean("done", completed[i]);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (deletions is not null)
        {
            DeletionsState.Write(writer, deletions);
        }
    });

    /// <summary>
    /// <paramref name="state"/> (the sync's input state) with the deletions position replaced: the checkpoint after
    /// deletions are emitted, before any user is read (everything else of the state still holds).
    /// </summary>
    internal static string WithDeletions(JsonElement state, DeletionsPosition deletions) => Write(writer =>
    {
        foreach (var property in state.EnumerateObject())
        {
            if (property.NameEquals(DeletionsState.Property))
            {
                continue;
            }

            property.WriteTo(writer);
        }

        DeletionsState.Write(writer, deletions);
    });

    private static string Write(Action<Utf8JsonWriter> properties)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            properties(writer);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
