using System.Text.Json;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams;

/// <summary>What a stream produces: a record (with fields we add), or a checkpoint of its state.</summary>
internal readonly struct StreamItem
{
    private StreamItem(JsonElement record, RecordField[]? added, string? stateJson)
    {
        Record = record;
        Added = added;
        StateJson = stateJson;
    }

    public JsonElement Record { get; }

    /// <summary>Fields the connector adds (parent ids); shared between the records of one parent.</summary>
    public RecordField[]? Added { get; }

    /// <summary>The stream_state object as JSON, when this item is a checkpoint.</summary>
    public string? StateJson { get; }

    public bool IsCheckpoint => StateJson is not null;

    public static StreamItem Of(JsonElement record, RecordField[]? added = null) => new(record, added, null);

    public static StreamItem Checkpoint(string stateJson) => new(default, null, stateJson);
}
