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

    private InputState(JsonDocument? document, Dictionary<string, JsonElement> streams)
    {
        _document = document;
        _streams = streams;
    }

    public static InputState Empty { get; } = new(null, new Dictionary<string, JsonElement>(StringComparer.Ordinal));

    public IReadOnlyCollection<string> StreamNames => _streams.Keys;

    public JsonElement? For(string stream) => _streams.TryGetValue(stream, out var state) ? state : null;

    public static InputState Load(string path)
    {
        var document = JsonInput.ReadFile(path, "state");
        try
        {
            return new InputState(document, Parse(document.RootElement));
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    internal static Dictionary<string, JsonElement> Parse(JsonElement root)
    {
        var streams = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        switch (root.ValueKind)
        {
            case JsonValueKind.Array:
                var index = 0;
                foreach (var message in root.EnumerateArray())
                {
                    AddMessage(message, $"state[{index++}]", streams);
                }

                break;
            case JsonValueKind.Object when root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String:
                AddMessage(root, "state", streams);
                break;
            case JsonValueKind.Object:
                AddLegacy(root, "state", streams);
                break;
            case JsonValueKind.Null:
                break;
            default:
                throw new ConfigException("state", $"The state must be a JSON array of state messages or a legacy state object, not {JsonInput.Describe(root)}.");
        }

        return streams;
    }

    private static void AddMessage(JsonElement message, string path, Dictionary<string, JsonElement> streams)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigException(path, $"'{path}' must be a state message object, not {JsonInput.Describe(message)}.");
        }

        var type = JsonInput.OptionalString(message, "type", $"{path}.type") ?? "LEGACY";
        if (type == "STATE")
        {
            // A whole protocol message as read printed it: its state is inside.
            AddMessage(JsonInput.RequireObject(message, "state", $"{path}.state"), $"{path}.state", streams);
            return;
        }

        switch (type)
        {
            case "STREAM":
                AddStream(JsonInput.RequireObject(message, "stream", $"{path}.stream"), $"{path}.stream", streams);
                break;
            case "GLOBAL":
                var global = JsonInput.RequireObject(message, "global", $"{path}.global");
                if (global.TryGetProperty("stream_states", out var states) && states.ValueKind == JsonValueKind.Array)
                {
                    var index = 0;
                    foreach (var stream in states.EnumerateArray())
                    {
                        AddStream(stream, $"{path}.global.stream_states[{index++}]", streams);
                    }
                }

                break;
            case "LEGACY":
                AddLegacy(JsonInput.RequireObject(message, "data", $"{path}.data"), $"{path}.data", streams);
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
