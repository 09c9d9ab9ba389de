using System.Text.Json;

namespace Auth0Connector.Protocol;

internal static class JsonElementExtensions
{
    /// <summary>The named string property of an object; null when the element is no object or the property is missing or not a string.</summary>
    public static string? StringProperty(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
