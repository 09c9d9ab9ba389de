using System.Text.Json;

namespace Auth0Connector.Configuration;

/// <summary>Reads a user-supplied JSON file and typed fields from it, with errors that name the field.</summary>
internal static class JsonInput
{
    private static readonly JsonDocumentOptions Options = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
    };

    public static JsonDocument ReadFile(string path, string what)
    {
        if (!File.Exists(path))
        {
            throw new ConfigException(what, $"The {what} file '{path}' does not exist. Pass the path of a JSON file with --{what}.");
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ConfigException(what, $"Cannot read the {what} file '{path}': {e.Message}");
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ConfigException(what, $"The {what} file '{path}' is empty; it must contain a JSON document.");
        }

        try
        {
            return JsonDocument.Parse(text, Options);
        }
        catch (JsonException e)
        {
            // JsonException messages quote the position, never the content, so no secret leaks here.
            throw new ConfigException(what, $"The {what} file '{path}' is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}). Fix the syntax and try again.");
        }
    }

    public static JsonElement RequireObject(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw new ConfigException(path, $"'{path}' is missing: it is required and must be an object.");
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigException(path, $"'{path}' must be an object, not {Describe(value)}.");
        }

        return value;
    }

    public static string RequireString(JsonElement parent, string name, string path)
    {
        var value = OptionalString(parent, name, path);
        if (value is null)
        {
            throw new ConfigException(path, $"'{path}' is missing: it is required and must be a non-empty string.");
        }

        return value;
    }

    /// <summary>A string field; absent, null or blank gives null; any other type is an error.</summary>
    public static string? OptionalString(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw new ConfigException(path, $"'{path}' must be a string, not {Describe(value)}.");
        }

        var text = value.GetString()!.Trim();
        return text.Length == 0 ? null : text;
    }

    public static int OptionalInt(JsonElement parent, string name, string path, int fallback, int min, int max)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
        {
            throw new ConfigException(path, $"'{path}' must be a whole number from {min} to {max}, not {Describe(value)}.");
        }

        if (number < min || number > max)
        {
            throw new ConfigException(path, $"'{path}' is {number}; it must be from {min} to {max}.");
        }

        return number;
    }

    public static double? OptionalPositiveNumber(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !(number > 0) || double.IsInfinity(number))
        {
            throw new ConfigException(path, $"'{path}' must be a number greater than 0, not {Describe(value)}.");
        }

        return number;
    }

    public static bool OptionalBool(JsonElement parent, string name, string path, bool fallback)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new ConfigException(path, $"'{path}' must be true or false, not {Describe(value)}."),
        };
    }

    private static readonly string[] IsoFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd' 'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd' 'HH:mm:ssK",
        "yyyy-MM-dd",
    ];

    /// <summary>
    /// Parses an ISO-8601 / RFC 3339 date-time (a zone-less value is UTC). Ambiguous local forms
    /// such as 01/02/2024 are refused rather than guessed.
    /// </summary>
    public static DateTimeOffset? TryParseIso8601(string text) =>
        DateTimeOffset.TryParseExact(text.Trim(), IsoFormats, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var value)
            ? value
            : null;

    /// <summary>Describes a value's type (never its content: it may be a secret).</summary>
    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "an undefined value",
    };
}
