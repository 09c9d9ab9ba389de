using System.Text.Json;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams;

/// <summary>
/// One page of records and the JSON document that owns them. Whoever receives a page disposes it
/// once its records are written; nothing holds more than a few pages at a time.
/// </summary>
internal sealed class JsonPage(JsonDocument document, JsonElement items, RecordField[]? added = null) : IDisposable
{
    public JsonElement Root => document.RootElement;

    public JsonElement Items { get; } = items;

    /// <summary>Fields added to each of this page's records (parent ids).</summary>
    public RecordField[]? Added { get; set; } = added;

    public int Count => Items.GetArrayLength();

    public void Dispose() => document.Dispose();
}
