using System.Text.Json;
using Auth0Connector.Configuration;
using Auth0Connector.Streams;

namespace Auth0Connector.Protocol;

/// <summary>One stream selected in the configured catalog, with its sync mode.</summary>
internal sealed record ConfiguredStream(IAuth0Stream Stream, SyncMode Mode);

/// <summary>The <c>--catalog</c> file: which streams to read, in which mode.</summary>
internal static class ConfiguredCatalog
{
    public static IReadOnlyList<ConfiguredStream> Load(string path, StreamRegistry registry)
    {
        using var document = JsonInput.ReadFile(path, "catalog");
        return Parse(document.RootElement, registry);
    }

    internal static IReadOnlyList<ConfiguredStream> Parse(JsonElement root, StreamRegistry registry)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigException("catalog", $"The catalog must be a JSON object with a 'streams' array, not {JsonInput.Describe(root)}.");
        }

        if (!root.TryGetProperty("streams", out var streams) || streams.ValueKind != JsonValueKind.Array)
        {
            throw new ConfigException("catalog.streams", "'catalog.streams' is missing or not an array: the configured catalog lists the streams to read. Start from the output of 'discover'.");
        }

        var selected = new List<ConfiguredStream>();
        var index = 0;
        foreach (var entry in streams.EnumerateArray())
        {
            var path = $"catalog.streams[{index++}]";
            if (entry.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigException(path, $"'{path}' must be an object with 'stream' and 'sync_mode', not {JsonInput.Describe(entry)}.");
            }

            var streamObject = JsonInput.RequireObject(entry, "stream", $"{path}.stream");
            var name = JsonInput.RequireString(streamObject, "name", $"{path}.stream.name");
            var stream = registry.Find(name) ?? throw new ConfigException($"{path}.stream.name",
                $"'{path}.stream.name' is '{name}', which is not a stream of this connector; the streams are {string.Join(", ", registry.All.Select(s => s.Name))}.");
            if (selected.Any(s => s.Stream.Name == name))
            {
                throw new ConfigException($"{path}.stream.name", $"Stream '{name}' is listed twice in the catalog; list each stream once.");
            }

            var modeText = JsonInput.OptionalString(entry, "sync_mode", $"{path}.sync_mode") ?? "full_refresh";
            var mode = modeText switch
            {
                "full_refresh" => SyncMode.FullRefresh,
                "incremental" when stream.CursorField is not null => SyncMode.Incremental,
                "incremental" => throw new ConfigException($"{path}.sync_mode", $"Stream '{name}' supports only full_refresh: Auth0 gives its records no update timestamp. Set '{path}.sync_mode' to full_refresh."),
                _ => throw new ConfigException($"{path}.sync_mode", $"'{path}.sync_mode' is '{modeText}'; use full_refresh or incremental."),
            };
            selected.Add(new ConfiguredStream(stream, mode));
        }

        if (selected.Count == 0)
        {
            throw new ConfigException("catalog.streams", "The catalog selects no streams; list at least one (see 'discover' for the streams).");
        }

        return selected;
    }
}
