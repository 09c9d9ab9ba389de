using System.Text.Json;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams;

/// <summary>
/// What a stream produces: a page of records (written whole, then disposed by the reader), a single
/// record, a checkpoint of the stream's state, or (last) its reconciliation with the tenant's totals.
/// </summary>
internal readonly struct StreamItem
{
    private StreamItem(JsonPage? page, JsonElement record, RecordField[]? added, string? stateJson, bool deletions = false, Reconciliation? reconciliation = null)
    {
        Page = page;
        Record = record;
        Added = added;
        StateJson = stateJson;
        AreDeletions = deletions;
        Reconciliation = reconciliation;
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

    /// <summary>What the stream's listings delivered against the totals the tenant reported, when this item is that.</summary>
    public Reconciliation? Reconciliation { get; }

    public static StreamItem Of(JsonPage page) => new(page, default, null, null);

    /// <summary>A page of records each saying an object was deleted (users deleted in Auth0).</summary>
    public static StreamItem Deletions(JsonPage page) => new(page, default, null, null, deletions: true);

    public static StreamItem Of(JsonElement record, RecordField[]? added = null) => new(null, record, added, null);

    public static StreamItem Checkpoint(string stateJson) => new(null, default, null, stateJson);

    /// <summary>The stream's reconciliation (its last item, when a listing reported a total).</summary>
    public static StreamItem Reconciled(Reconciliation reconciliation) => new(null, default, null, null, reconciliation: reconciliation);
}
