using System.Text.Json;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams;

/// <summary>
/// What a stream produces: a page of records (written whole, then disposed by the reader), a single
/// record, or a checkpoint of the stream's state.
/// </summary>
internal readonly struct StreamItem
{
    private StreamItem(JsonPage? page, JsonElement record, RecordField[]? added, string? stateJson, bool deletions = false)
    {
        Page = page;
        Record = record;
        Added = added;
        StateJson = stateJson;
        AreDeletions = deletions;
    }

    /// <summary>The page's records say that objects were deleted (counted apart in the read's summary).</summary>
    public bool AreDeletions { get; }

    public JsonPage? Page { get; }

    public JsonElement Record { get; }

    /// <summary>Fields the connector adds to <see cref="Record"/> (parent ids).</summary>
    public RecordField[]? Added { get; }

    /// <summary>The stream_state object as JSON, when this item is a checkpoint.</summary>
    public string? StateJson { get; }

    public bool IsCheckpoint => StateJson is not null;

    public static StreamItem Of(JsonPage page) => new(page, default, null, null);

    /// <summary>A page of records each saying an object was deleted (users deleted in Auth0).</summary>
    public static StreamItem Deletions(JsonPage page) => new(page, default, null, null, deletions: true);

    public static StreamItem Of(JsonElement record, RecordField[]? added = null) => new(null, record, added, null);

    public static StreamItem Checkpoint(string stateJson) => new(null, default, null, stateJson);
}
