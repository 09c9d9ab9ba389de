using System.Text.Json;

namespace Auth0Connector.Foundation;

internal static class JsonElementExtensions
{
    /// <summary>The named string property of an object; null when the element is no object or the property is missing or not a string.</summary>
    public static string? StringProperty(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? TextOf(value)
            : null;

    /// <summary>A string value; null when it cannot be a .NET string (an escaped lone surrogate such as <c>\ud800</c>).</summary>
    public static string? TextOf(JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
