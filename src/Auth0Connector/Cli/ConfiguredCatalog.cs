using System.Text.Json;
using Auth0Connector.Configuration;
using Auth0Connector.Streams;

namespace Auth0Connector.Cli;

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
            throw new ConfigException("catalog.streams", root.TryGetProperty("catalog", out _) || root.TryGetProperty("type", out _)
                ? "This looks like discover's output, not a configured catalog. A configured catalog is {\"streams\": [{\"stream\": <a stream from discover>, \"sync_mode\": \"full_refresh\", \"destination_sync_mode\": \"overwrite\"}, ...]}; see examples/catalog.json."
                : "'catalog.streams' is missing or not an array: the configured catalog lists the streams to read, like {\"streams\": [{\"stream\": {\"name\": \"users\", ...}, \"sync_mode\": \"incremental\", \"destination_sync_mode\": \"append_dedup\"}]}; see examples/catalog.json.");
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

            if (!entry.TryGetProperty("stream", out _) && entry.TryGetProperty("name", out _))
            {
                throw new ConfigException($"{path}.stream", $"'{path}' is a stream as discover prints it; a configured catalog wraps each one: {{\"stream\": <that stream>, \"sync_mode\": \"full_refresh\", \"destination_sync_mode\": \"overwrite\"}}. See examples/catalog.json.");
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
