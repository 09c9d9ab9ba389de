using System.Text.Json;
using Auth0Connector.Configuration;
using Auth0Connector.Foundation;

namespace Auth0Connector.Streams.Cursors;

/// <summary>
/// Where the users stream stands in the tenant log, for its deletions: the last event read (<c>log_id</c>, its
/// <c>date</c>) and the users whose deletion it emitted in the last seconds before it (<c>recent</c>), whose second log
/// event (the <c>sdu</c> and the <c>sapi</c> of one deletion) may follow in the next page.
/// </summary>
internal sealed record DeletionsPosition(string LogId, string? Date, IReadOnlyList<string> Recent);

/// <summary>
/// The <c>deletions</c> object of a users state: <c>{"log_id": "…", "date": "…", "recent": ["…"]}</c>. A state
/// without it (source-auth0's, or one written before deletions were tracked) starts tracking from the newest event.
/// Whatever a state file holds there, it is either sane or a config_error naming the field.
/// </summary>
internal static class DeletionsState
{
    public const string Property = "deletions";

    /// <summary>At most this many recent deletions are kept in a state: a STATE line stays small.</summary>
    internal const int MaxRecent = 100;

    private const string Field = "state.users." + Property;

    private const string Restart = "or remove 'deletions' from the users state to track deletions from now on (run a users full refresh to drop users deleted before)";

    /// <summary>The position of a users state object; null when it has none.</summary>
    public static DeletionsPosition? Read(JsonElement usersState)
    {
        if (usersState.ValueKind != JsonValueKind.Object || !usersState.TryGetProperty(Property, out var deletions) || deletions.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (deletions.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigException(Field, $"'{Field}' must be an object like {{\"log_id\": \"90020230602105805996607000000000000001223372045029306413\"}} (it is written by this connector), not {JsonInput.Describe(deletions)}; fix it, {Restart}.");
        }

        if (SequentialIdState.Read(deletions, "users." + Property, "log_id", "date", Restart) is not { } position)
        {
            return null;
        }

        var recent = new List<string>();
        if (deletions.TryGetProperty("recent", out var list) && list.ValueKind != JsonValueKind.Null)
        {
            if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() > MaxRecent || list.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String || JsonElementExtensions.TextOf(e) is not { Length: > 0 }))
            {
                throw new ConfigException($"{Field}.recent", $"'{Field}.recent' must be an array of at most {MaxRecent} user ids (it is written by this connector); remove it (a user deleted at the very moment of the last checkpoint may then come out twice), {Restart}.");
            }

            recent.AddRange(list.EnumerateArray().Select(e => JsonElementExtensions.TextOf(e)!));
        }

        return new DeletionsPosition(position.Id, position.Date, recent);
    }

    /// <summary>Writes the <c>deletions</c> property of a users state being written.</summary>
    public static void Write(Utf8JsonWriter writer, DeletionsPosition position)
    {
        writer.WriteStartObject(Property);
        writer.WriteString("log_id", position.LogId);
        if (position.Date is { } date && JsonInput.TryParseIso8601(date) is not null)
        {
            writer.WriteString("date", date);
        }

        if (position.Recent.Count > 0)
        {
            writer.WriteStartArray("recent");
            foreach (var id in position.Recent)
            {
                writer.WriteStringValue(id);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }
}
