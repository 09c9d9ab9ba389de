using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Auth0Connector.Tests.Support;

/// <summary>
/// The official Airbyte protocol schema (tests/protocol, see SOURCE.txt) plus the platform's
/// unwritten rules that ../shared/tools/validate_airbyte.py --strict also checks.
/// </summary>
internal static class ProtocolSchema
{
    private static readonly Lazy<JsonSchema> MessageSchema = new(() => Load("AirbyteMessage"));
    private static readonly Lazy<JsonSchema> CatalogSchema = new(() => Load("ConfiguredAirbyteCatalog"));

    private static JsonSchema Load(string definition)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "protocol", "airbyte_protocol.json");
        var document = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var wrapper = new JsonObject
        {
            ["$schema"] = "http://json-schema.org/draft-07/schema#",
            ["$id"] = $"urn:airbyte-protocol:{definition}",
            ["$ref"] = $"#/definitions/{definition}",
            ["definitions"] = document["definitions"]!.DeepClone(),
        };
        return JsonSchema.FromText(wrapper.ToJsonString());
    }

    /// <summary>Problems with one stdout line; empty when it is a valid protocol message.</summary>
    public static IReadOnlyList<string> Problems(string line)
    {
        JsonElement message;
        try
        {
            using var document = JsonDocument.Parse(line);
            message = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            return [$"not JSON: {e.Message}"];
        }

        var problems = new List<string>();
        var result = MessageSchema.Value.Evaluate(message, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!result.IsValid)
        {
            problems.AddRange((result.Details ?? []).Where(d => d.Errors is not null)
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")));
            if (problems.Count == 0)
            {
                problems.Add("schema validation failed");
            }
        }

        problems.AddRange(StrictProblems(message));
        return problems;
    }

    public static bool IsValidConfiguredCatalog(JsonElement catalog) =>
        CatalogSchema.Value.Evaluate(catalog).IsValid;

    private static IEnumerable<string> StrictProblems(JsonElement message)
    {
        if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("type", out var typeElement))
        {
            yield break;
        }

        var type = typeElement.GetString();
        var payload = type switch
        {
            "RECORD" => "record",
            "STATE" => "state",
            "LOG" => "log",
            "SPEC" => "spec",
            "CONNECTION_STATUS" => "connectionStatus",
            "CATALOG" => "catalog",
            "TRACE" => "trace",
            _ => null,
        };
        if (payload is not null && !message.TryGetProperty(payload, out _))
        {
            yield return $"type {type} but no '{payload}'";
            yield break;
        }

        switch (type)
        {
            case "TRACE":
                var trace = message.GetProperty("trace");
                var sub = trace.GetProperty("type").GetString() switch
                {
                    "ERROR" => "error",
                    "ESTIMATE" => "estimate",
                    "STREAM_STATUS" => "stream_status",
                    "ANALYTICS" => "analytics",
                    _ => null,
                };
                if (sub is not null && !trace.TryGetProperty(sub, out _))
                {
                    yield return $"trace without '{sub}'";
                }

                break;
            case "STATE":
                var state = message.GetProperty("state");
                var stateType = state.TryGetProperty("type", out var st) ? st.GetString() : null;
                if (stateType == "STREAM" && !state.TryGetProperty("stream", out _))
                {
                    yield return "STREAM state without 'stream'";
                }
                else if (stateType is null or "LEGACY" && !state.TryGetProperty("data", out _))
                {
                    yield return "LEGACY state without 'data'";
                }

                break;
            case "RECORD":
                if (message.GetProperty("record").TryGetProperty("emitted_at", out var at) && at.TryGetInt64(out var ms) && ms < 100_000_000_000)
                {
                    yield return "emitted_at looks like seconds";
                }

                break;
        }
    }
}
