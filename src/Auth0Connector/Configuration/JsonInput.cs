using System.Text.Json;

namespace Auth0Connector.Configuration;

/// <summary>Reads a user-supplied JSON file and typed fields from it, with errors that name the field.</summary>
internal static class JsonInput
{
    /// <summary>How deep config, catalog and state documents may nest (System.Text.Json's default).</summary>
    internal const int MaxDepth = 64;

    private const int MiB = 1024 * 1024;

    private static readonly JsonDocumentOptions Options = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = MaxDepth,
    };

    /// <summary>The size cap of an input file: a config is a few hundred bytes, a catalog or state at most a few MiB.</summary>
    internal static int MaxBytes(string what) => what == "config" ? 1 * MiB : 16 * MiB;

    public static JsonDocument ReadFile(string path, string what)
    {
        if (!File.Exists(path))
        {
            throw new ConfigException(what, $"The {what} file '{path}' does not exist. Pass the path of a JSON file with --{what}.");
        }

        var source = $"The {what} file '{path}'";
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.SequentialScan);
            return Parse(ReadBounded(file, source, what, MaxBytes(what)), source, what);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ConfigException(what, $"Cannot read the {what} file '{path}': {e.Message}");
        }
    }

    /// <summary>A document piped in (<c>--config -</c>), with the same cap and errors as a file.</summary>
    public static JsonDocument ReadStream(Stream input, string what)
    {
        var source = $"The {what} read from standard input";
        try
        {
            return Parse(ReadBounded(input, source, what, MaxBytes(what)), source, what);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new ConfigException(what, $"Cannot read the {what} from standard input: {e.Message}");
        }
    }

    private static JsonDocument Parse(string text, string source, string what)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ConfigException(what, $"{source} is empty; it must contain a JSON document.");
        }

        try
        {
            return JsonDocument.Parse(text, Options);
        }
        catch (OutOfMemoryException)
        {
            // Within the size cap, yet millions of tiny values: parsing it would need more memory
            // than the connector allows itself. No config, catalog or state is like that.
            throw new ConfigException(what, $"{source} holds too many values to read within the connector's memory limit; a {what} is a small document: pass the right file.");
        }
        catch (JsonException e)
        {
            // JsonException messages quote the position, never the content, so no secret leaks here.
            var problem = NestsTooDeep(text) ? $"is nested deeper than {MaxDepth} levels" : "is not valid JSON";
            throw new ConfigException(what, $"{source} {problem} (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}). Fix it and try again.");
        }
    }

    /// <summary>
    /// The file's text, read through a bounded buffer: a regular file larger than the cap is refused
    /// before reading, and a device or pipe (which has no length: /dev/zero, a FIFO, process
    /// substitution) is read only up to the cap.
    /// </summary>
    private static string ReadBounded(Stream input, string source, string what, int maxBytes)
    {
        var tooLarge = $"{source} is larger than {maxBytes / MiB} MiB, the most this connector reads; pass the right {what} (a {what} is much smaller than that).";
        if (input.CanSeek && input.Length > maxBytes)
        {
            throw new ConfigException(what, tooLarge);
        }

        var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = input.Read(chunk, 0, (int)Math.Min(chunk.Length, maxBytes + 1L - buffer.Length))) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > maxBytes)
            {
                throw new ConfigException(what, tooLarge);
            }
        }

        buffer.Position = 0;
        using var reader = new StreamReader(buffer, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    /// <summary>Whether the document nests deeper than <see cref="MaxDepth"/> (read without recursion, so any depth is safe).</summary>
    private static bool NestsTooDeep(string text)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text), new JsonReaderOptions
        {
            AllowTrailingCommas = true,
            CommentHandling = JsonCommentHandling.Skip,
            MaxDepth = MaxDepth + 1,
        });
        try
        {
            while (reader.Read())
            {
                if (reader.CurrentDepth >= MaxDepth)
                {
                    return true;
                }
            }
        }
        catch (JsonException)
        {
            // A syntax error before any deep nesting.
        }

        return false;
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

        string text;
        try
        {
            text = value.GetString()!.Trim();
        }
        catch (InvalidOperationException)
        {
            throw new ConfigException(path, $"'{path}' is not valid text (it holds an unpaired \\u surrogate escape); retype it.");
        }

        return text.Length == 0 ? null : text;
    }

    /// <summary>
    /// A string that is sent to Auth0 as a credential (an id, a secret, a token): a line break or
    /// other control character in it is an error naming the field, never quoting the value.
    /// </summary>
    public static string RequireCredential(JsonElement parent, string name, string path)
    {
        var value = RequireString(parent, name, path);
        if (value.Any(char.IsControl))
        {
            throw new ConfigException(path, $"'{path}' contains a line break or another control character, which no Auth0 credential has; copy the value again without it.");
        }

        return value;
    }

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/> (3.0 and 3e0 are whole too).</summary>
    public static int OptionalInt(JsonElement parent, string name, string path, int fallback, int min, int max)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }

        var range = $"a whole number from {min} to {max}";
        var number = NumberIn(value, path, range, min, max);
        if (number != Math.Floor(number))
        {
            throw new ConfigException(path, $"'{path}' is {Shown(value)}; it must be {range}.");
        }

        return (int)number;
    }

    /// <summary>A number from <paramref name="min"/> to <paramref name="max"/>, or null when absent.</summary>
    public static double? OptionalNumber(JsonElement parent, string name, string path, double min, double max)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return NumberIn(value, path, FormattableString.Invariant($"a number from {min} to {max}"), min, max);
    }

    private static double NumberIn(JsonElement value, string path, string range, double min, double max)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw new ConfigException(path, $"'{path}' must be {range}, not {Describe(value)}.");
        }

        if (!value.TryGetDouble(out var number) || !double.IsFinite(number) || number < min || number > max)
        {
            throw new ConfigException(path, $"'{path}' is {Shown(value)}; it must be {range}.");
        }

        return number;
    }

    /// <summary>A number as written in the file, shortened: a thousand digits would drown the message.</summary>
    private static string Shown(JsonElement number)
    {
        var text = number.GetRawText();
        return text.Length <= 24 ? text : text[..24] + "...";
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
