using System.Text;
using System.Text.Json;
using Auth0Connector.Configuration;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams.Cursors;

/// <summary>
/// The state of a <see cref="SequentialIdCursor"/>: <c>{"&lt;id field&gt;": "…", "&lt;date field&gt;": "…"}</c>, the last
/// id delivered and its event's date (for the warning when the position ages out). Whatever a state file holds, it
/// is either well-formed or a config_error naming the field and what to do; whether the id is one of this tenant's,
/// only the tenant can tell (<see cref="SequentialIdCursor"/>).
/// </summary>
internal static class SequentialIdState
{
    /// <summary>Longer than any Auth0 id (log ids have 56 digits).</summary>
    private const int MaxIdLength = 64;


    /// <summary>A saved position: the last id delivered and, when known, its event's date as Auth0 wrote it.</summary>
    internal readonly record struct Position(string Id, string? Date);

    /// <summary>The position of a state object; null for an empty state (read from the oldest retained event).</summary>
    /// <param name="restart">What to do instead of fixing it (default: remove the stream's state to read from the oldest retained event).</param>
    internal static Position? Read(JsonElement state, string stream, string idField, string dateField, string? restart = null)
    {
        restart ??= $"or remove the {stream} state to read again from the oldest retained event (or start_date)";
        if (state.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigException($"state.{stream}", $"'state.{stream}' must be an object like {{\"{idField}\": \"90020230602105805996607000000000000001223372045029306413\"}}, not {JsonInput.Describe(state)}; fix it, {restart}.");
        }

        var idPath = $"state.{stream}.{idField}";
        if (!state.TryGetProperty(idField, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var id = Text(value);
        if (id is null || !IsId(id))
        {
            throw new ConfigException(idPath, $"'{idPath}' is not a {idField} (a string of up to {MaxIdLength} digits written by this connector); fix it, {restart}.");
        }

        var datePath = $"state.{stream}.{dateField}";
        var date = state.TryGetProperty(dateField, out var saved) && saved.ValueKind != JsonValueKind.Null ? Text(saved) ?? string.Empty : null;
        if (date is not null && JsonInput.TryParseIso8601(date) is null)
        {
            throw new ConfigException(datePath, $"'{datePath}' is not an ISO-8601 date-time; fix it (e.g. 2024-01-01T00:00:00.000Z), remove '{dateField}' (only the warning about aged-out events uses it), {restart}.");
        }

        return new Position(id, date);
    }

    /// <summary>Whether <paramref name="id"/> can be a sequential id: 1 to <see cref="MaxIdLength"/> ASCII digits.</summary>
    internal static bool IsId(string id) => id.Length is > 0 and <= MaxIdLength && id.All(char.IsAsciiDigit);

    /// <summary>A JSON string's text; null for any other value or a string that is not valid text (a lone surrogate escape).</summary>
    private static string? Text(JsonElement value)
    {
        try
        {
            return value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The state at <paramref name="id"/>; <paramref name="date"/> is kept as Auth0 wrote it (omitted when absent or not a date-time).</summary>
    internal static string Json(string idField, string id, string dateField, string? date)
    {
        var json = new StringBuilder("{");
        json.Append(JsonSerializer.Serialize(idField, ConnectorJsonContext.Default.String)).Append(':').Append(JsonSerializer.Serialize(id, ConnectorJsonContext.Default.String));
        if (date is not null && JsonInput.TryParseIso8601(date) is not null)
        {
            json.Append(',').Append(JsonSerializer.Serialize(dateField, ConnectorJsonContext.Default.String)).Append(':').Append(JsonSerializer.Serialize(date, ConnectorJsonContext.Default.String));
        }

        return json.Append('}').ToString();
    }
}
