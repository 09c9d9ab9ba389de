using System.Text.Json.Serialization;

namespace Auth0Connector.Protocol;

/// <summary>Source-generated System.Text.Json metadata: the connector uses no reflection-based serialization.</summary>
[JsonSerializable(typeof(string))]
[JsonSourceGenerationOptions(WriteIndented = false)]
internal sealed partial class ConnectorJsonContext : JsonSerializerContext;
