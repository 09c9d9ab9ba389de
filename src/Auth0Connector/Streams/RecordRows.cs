using System.Text.Json;
using Auth0Connector.Http;

namespace Auth0Connector.Streams;

/// <summary>
/// The one check that what a server sent as records are JSON objects. A row that is not (a string,
/// a number, null, an array) fails its stream with an ERROR naming the endpoint: it is never
/// emitted, and skipping it would end the stream COMPLETE with a record silently missing.
/// </summary>
internal static class RecordRows
{
    /// <summary>Throws unless every element of the <paramref name="rows"/> array is an object.</summary>
    public static void RequireObjects(JsonElement rows, string path)
    {
        var index = 0;
        foreach (var row in rows.EnumerateArray())
        {
            RequireObject(row, Auth0ApiClient.PathOf(path), index++);
        }
    }

    /// <summary>Throws unless <paramref name="row"/>, the row at <paramref name="index"/> of <paramref name="source"/> (an endpoint, an export), is an object.</summary>
    public static void RequireObject(JsonElement row, string source, long index)
    {
        if (row.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{source} answered with a row that is not a JSON object (row {index + 1} is {Describe(row.ValueKind)}); the stream stops rather than emit or skip it. Check that base_url points at the tenant itself and not at a proxy that rewrites answers.");
        }
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Null => "null",
        _ => "a boolean",
    };
}
