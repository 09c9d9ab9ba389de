using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using WireMock;
using WireMock.Types;
using WireMock.Util;

namespace Auth0Connector.FakeTenant;

/// <summary>Small helpers to read WireMock requests and build JSON responses.</summary>
internal static class Http
{
    /// <summary>Like Auth0's answers: apostrophes, '&amp;', '+' and non-ASCII letters are not \\u-escaped.</summary>
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Parses a raw query (with or without the leading '?'); the first value of a repeated key wins.</summary>
    public static Dictionary<string, string> ParseQuery(string? raw)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(raw))
        {
            return result;
        }

        foreach (var part in raw.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            string key = Decode(eq < 0 ? part : part[..eq]);
            string value = eq < 0 ? string.Empty : Decode(part[(eq + 1)..]);
            result.TryAdd(key, value);
        }

        return result;
    }

    public static string Decode(string s) => Uri.UnescapeDataString(s.Replace('+', ' '));

    public static string? Header(IRequestMessage req, string name)
    {
        if (req.Headers is null)
        {
            return null;
        }

        foreach (var (key, values) in req.Headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase) && values.Count > 0)
            {
                return values[0];
            }
        }

        return null;
    }

    public static string BodyText(IRequestMessage req)
    {
        if (req.BodyAsBytes is { Length: > 0 } bytes)
        {
            return Encoding.UTF8.GetString(bytes);
        }

        return req.Body ?? string.Empty;
    }

    public static ResponseMessage Json(int status, Action<Utf8JsonWriter> write, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        var responseHeaders = new Dictionary<string, WireMockList<string>>(StringComparer.OrdinalIgnoreCase)
        {
            ["Content-Type"] = new WireMockList<string>("application/json; charset=utf-8"),
        };
        if (headers is not null)
        {
            foreach (var (k, v) in headers)
            {
                responseHeaders[k] = new WireMockList<string>(v);
            }
        }

        return new ResponseMessage
        {
            StatusCode = status,
            Headers = responseHeaders,
            BodyData = new BodyData
            {
                BodyAsString = Encoding.UTF8.GetString(buffer.WrittenSpan),
                DetectedBodyType = BodyType.String,
                Encoding = Encoding.UTF8,
            },
        };
    }

    public static ResponseMessage Json(int status, JsonNode body, IEnumerable<KeyValuePair<string, string>>? headers = null) =>
        Json(status, w => body.WriteTo(w), headers);

    /// <summary>Management API error body: <c>{"statusCode","error","message","errorCode"?}</c>.</summary>
    public static JsonObject ApiError(int status, string error, string message, string? errorCode = null)
    {
        var body = new JsonObject
        {
            ["statusCode"] = status,
            ["error"] = error,
            ["message"] = message,
        };
        if (errorCode is not null)
        {
            body["errorCode"] = errorCode;
        }

        return body;
    }

    public static JsonObject BadRequest(string message, string errorCode = "invalid_query_string") =>
        ApiError(400, "Bad Request", message, errorCode);

    /// <summary>Writes the object's properties, restricted by a <c>fields</c>/<c>include_fields</c> projection.</summary>
    public static void WriteProjected(Utf8JsonWriter w, JsonObject obj, Projection projection, Func<string, bool>? hide = null)
    {
        w.WriteStartObject();
        WriteProjectedProperties(w, obj, projection, hide);
        w.WriteEndObject();
    }

    /// <summary>The properties of <paramref name="obj"/> that <paramref name="projection"/> keeps, inside an object being written.</summary>
    public static void WriteProjectedProperties(Utf8JsonWriter w, JsonObject obj, Projection projection, Func<string, bool>? hide = null)
    {
        foreach (var (key, value) in obj)
        {
            if (!projection.Includes(key) || (hide is not null && hide(key)))
            {
                continue;
            }

            w.WritePropertyName(key);
            if (value is null)
            {
                w.WriteNullValue();
            }
            else
            {
                value.WriteTo(w);
            }
        }
    }
}

/// <summary>The <c>fields</c> and <c>include_fields</c> query parameters.</summary>
internal sealed class Projection
{
    public static readonly Projection All = new(null, true);

    private readonly HashSet<string>? _fields;
    private readonly bool _include;

    private Projection(HashSet<string>? fields, bool include)
    {
        _fields = fields;
        _include = include;
    }

    public static Projection From(Dictionary<string, string> query)
    {
        if (!query.TryGetValue("fields", out var raw) || string.IsNullOrWhiteSpace(raw))
        {
            return All;
        }

        var fields = raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        bool include = !query.TryGetValue("include_fields", out var inc) || !string.Equals(inc, "false", StringComparison.OrdinalIgnoreCase);
        return new Projection(fields, include);
    }

    /// <summary>Only the given top-level fields (an export job's <c>fields</c>); null or empty: all fields.</summary>
    public static Projection Only(IEnumerable<string>? fields)
    {
        var set = fields?.ToHashSet(StringComparer.Ordinal);
        return set is null || set.Count == 0 ? All : new Projection(set, true);
    }

    public bool Has(string field) => _fields is not null && _include && _fields.Contains(field);

    public bool Includes(string field) => _fields is null || (_fields.Contains(field) == _include);
}
