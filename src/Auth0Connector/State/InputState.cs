using System.Text.Json;
using Auth0Connector.Configuration;

namespace Auth0Connector.State;

/// <summary>
/// The state handed to <c>read --state</c>: per-stream states, from Airbyte's per-stream array
/// (STREAM messages; GLOBAL and LEGACY ones are understood too) or its legacy single object
/// <c>{"users": {"updated_at": "..."}}</c>.
/// </summary>
internal sealed class InputState : IDisposable
{
    private readonly JsonDocument? _document;
    private readonly Dictionary<string, JsonElement> _streams;
    private readonly List<string> _formatNotes;

    private InputState(JsonDocument? document, Dictionary<string, JsonElement> streams, List<string> formatNotes)
    {
        _document = document;
        _streams = streams;
        _formatNotes = formatNotes;
    }

    public static InputState Empty { get; } = new(null, new Dictionary<string, JsonElement>(StringComparer.Ordinal), []);

    public JsonElement? For(string stream) => _streams.TryGetValue(stream, out var state) ? state : null;

    public static InputState Load(string path)
    {
        var document = JsonInput.ReadFile(path, "state");
        try
        {
            var notes = new List<string>();
            return new InputState(document, Parse(document.RootElement, notes), notes);
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    /// <summary>
    /// What the sync will ignore or read again because of this state, for LOG WARN messages: a
    /// GLOBAL or legacy state, entries naming no stream of <paramref name="catalog"/>, and
    /// incremental streams whose state has no cursor (they are read again from the start).
    /// </summary>
    /// <param name="stateFields">The fields a stream's states hold beside its cursor: a state of only these is no stranger's.</param>
    public IReadOnlyList<string> Warnings(IReadOnlyList<(string Name, string? CursorField)> catalog, IReadOnlyCollection<string> knownStreams, Func<string, IReadOnlyList<string>>? stateFields = null)
    {
        var warnings = new List<string>(_formatNotes);
        foreach (var name in _streams.Keys.Where(name => !catalog.Any(c => c.Name == name)))
        {
            warnings.Add(knownStreams.Contains(name)
                ? $"The state holds stream '{name}', which this catalog does not select: its state is ignored by this sync."
                : $"The state holds stream '{name}', which is not a stream of this connector (a state from another connector?): it is ignored. The streams are {string.Join(", ", knownStreams)}.");
        }

        foreach (var (name, cursor) in catalog)
        {
            if (cursor is not null && For(name) is { ValueKind: JsonValueKind.Object } state
                && !state.TryGetProperty(cursor, out _) && state.EnumerateObject().Any(p => stateFields?.Invoke(name).Contains(p.Name) != true))
            {
                var keys = string.Join(", ", state.EnumerateObject().Take(5).Select(p => $"'{p.Name}'"));
                warnings.Add($"The state of stream '{name}' has no '{cursor}' cursor (it holds {keys}): it is not a state this connector wrote, so '{name}' is read again from start_date (or from the beginning).");
            }
        }

        return warnings;
    }

    internal static Dictionary<string, JsonElement> Parse(JsonElement root, List<string>? notes = null)
    {
        notes ??= [];
        var streams = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        switch (root.ValueKind)
        {
            case JsonValueKind.Array:
                var index = 0;
                foreach (var message in root.EnumerateArray())
                {
                    AddMessage(message, $"state[{index++}]", streams, notes);
                }

                break;
            case JsonValueKind.Object when root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String:
                AddMessage(root, "state", streams, notes);
                break;
            case JsonValueKind.Object:
                AddLegacy(root, "state", streams);
                if (streams.Count > 0)
                {
                    notes.Add($"The state is a legacy state object (one JSON object keyed by stream, as old connectors wrote it): read as the states of {string.Join(", ", streams.Keys)}. This connector writes per-stream STATE messages; pass those next time (scripts/last-state.sh).");
                }

                break;
            case JsonValueKind.Null:
                break;
            default:
                throw new ConfigException("state", $"The state must be a JSON array of state messages or a legacy state object, not {JsonInput.Describe(root)}.");
        }

        return streams;
    }

    private static void AddMessage(JsonElement message, string path, Dictionary<string, JsonElement> streams, List<string> notes)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigException(path, $"'{path}' must be a state message object, not {JsonInput.Describe(message)}.");
        }

        var type = JsonInput.OptionalString(message, "type", $"{path}.type") ?? "LEGACY";
        if (type == "STATE")
        {
            // A whole protocol message as read printed it: its state is inside.
            AddMessage(JsonInput.RequireObject(message, "state", $"{path}.state"), $"{path}.state", streams, notes);
            return;
        }

        switch (type)
        {
            case "STREAM":
                AddStream(JsonInput.RequireObject(message, "stream", $"{path}.stream"), $"{path}.stream", streams);
                break;
            case "GLOBAL":
                var global = JsonInput.RequireObject(message, "global", $"{path}.global");
                var before = streams.Count;
                if (global.TryGetProperty("stream_states", out var states) && states.ValueKind == JsonValueKind.Array)
                {
                    var index = 0;
                    foreach (var stream in states.EnumerateArray())
                    {
                        AddStream(stream, $"{path}.global.stream_states[{index++}]", streams);
                    }
                }

                var shared = global.TryGetProperty("shared_state", out var s) && s.ValueKind == JsonValueKind.Object && s.EnumerateObject().Any();
                notes.Add($"'{path}' is a GLOBAL state (this connector writes per-stream states): {(shared ? "its shared_state is ignored; " : string.Empty)}"
                    + (streams.Count > before ? "its per-stream states are used." : "it holds no per-stream state, so every stream is read from the start."));
                break;
            case "LEGACY":
                AddLegacy(JsonInput.RequireObject(message, "data", $"{path}.data"), $"{path}.data", streams);
                notes.Add($"'{path}' is a LEGACY state message: read as the states of {(streams.Count > 0 ? string.Join(", ", streams.Keys) : "no stream")}. This connector writes per-stream STATE messages; pass those next time (scripts/last-state.sh).");
                break;
            default:
                throw new ConfigException($"{path}.type", $"'{path}.type' is '{type}'; state messages are of type STREAM, GLOBAL or LEGACY.");
        }
    }

    private static void AddStream(JsonElement streamState, string path, Dictionary<string, JsonElement> streams)
    {
        if (streamState.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigException(path, $"'{path}' must be an object with stream_descriptor and stream_state, not {JsonInput.Describe(streamState)}.");
        }

        var descriptor = JsonInput.RequireObject(streamState, "stream_descriptor", $"{path}.stream_descriptor");
        var name = JsonInput.RequireString(descriptor, "name", $"{path}.stream_descriptor.name");
        if (streamState.TryGetProperty("stream_state", out var state) && state.ValueKind != JsonValueKind.Null)
        {
            streams[name] = state;
        }
    }

    private static void AddLegacy(JsonElement data, string path, Dictionary<string, JsonElement> streams)
    {
        foreach (var property in data.EnumerateObject())
        {
            if (property.Value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
            {
                throw new ConfigException($"{path}.{property.Name}", $"'{path}.{property.Name}' must be the stream's state object, not {JsonInput.Describe(property.Value)}.");
            }

            if (property.Value.ValueKind == JsonValueKind.Object)
            {
                streams[property.Name] = property.Value;
            }
        }
    }

    public void Dispose() => _document?.Dispose();
}
