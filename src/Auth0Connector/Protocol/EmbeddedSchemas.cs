using System.Text.Json;

namespace Auth0Connector.Protocol;

/// <summary>The JSON files under Schemas/ (connection spec and one schema per stream), embedded in the binary.</summary>
internal static class EmbeddedSchemas
{
    public static byte[] Read(string name)
    {
        using var stream = typeof(EmbeddedSchemas).Assembly.GetManifestResourceStream($"Schemas.{name}.json")
            ?? throw new InvalidOperationException($"Schema '{name}' is not embedded in the connector.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    /// <summary>Copies an embedded schema into a message being written.</summary>
    public static void WriteTo(Utf8JsonWriter writer, string name)
    {
        using var document = JsonDocument.Parse(Read(name));
        document.RootElement.WriteTo(writer);
    }
}
