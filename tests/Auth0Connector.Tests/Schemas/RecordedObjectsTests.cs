using System.Text.Json;
using Auth0Connector.Protocol;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Schemas;

/// <summary>
/// The schemas against real objects: tests/recorded holds client and organization objects that Auth0's own SDK
/// tests recorded from a real tenant (go-auth0, secret-like fields removed). Every field of every object, at
/// every depth the schema describes, is declared there with a type the value has; docs/schemas.md says how the
/// fixtures and the schemas are kept current.
/// </summary>
public class RecordedObjectsTests
{
    /// <summary>Field names no fixture may hold, however nested: what a tenant's answer may carry as a secret.</summary>
    private static readonly string[] SecretLike = ["client_secret", "secret", "password", "pem", "private_key", "signing_secret", "access_token"];

    public static readonly TheoryData<string> Streams = new(["clients", "organizations"]);

    private static List<JsonElement> Recorded(string stream)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "recorded", $"{stream}.json")));
        return [.. document.RootElement.GetProperty("objects").EnumerateArray().Select(o => o.GetProperty("object").Clone())];
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public void Schema_EveryFieldOfEveryRecordedObject_DeclaredWithACompatibleType(string stream)
    {
        using var schema = JsonDocument.Parse(EmbeddedSchemas.Read(stream));
        var objects = Recorded(stream);
        var problems = new List<string>();

        foreach (var record in objects)
        {
            Check(record, schema.RootElement, stream, problems);
        }

        Assert.True(objects.Count >= 3, $"{stream}: only {objects.Count} recorded objects");
        Assert.True(problems.Count == 0, $"{stream}: {string.Join("; ", problems.Distinct())}");
        StreamChecks.AssertFitTheSchema(stream, objects);
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public void Fixtures_RecordedObjects_HoldNothingSecretLike(string stream)
    {
        foreach (var record in Recorded(stream))
        {
            var text = record.GetRawText();
            Assert.DoesNotContain("[REDACTED]", text, StringComparison.Ordinal);
            Assert.DoesNotContain("PRIVATE KEY", text, StringComparison.Ordinal);
            Assert.Empty(FieldNames(record).Intersect(SecretLike));
        }
    }

    /// <summary>The fields real tenants return that the schemas once lacked (issue 20), each with its type.</summary>
    [Theory]
    [InlineData("clients", "external_client_id", "string")]
    [InlineData("clients", "external_metadata_created_by", "string")]
    [InlineData("clients", "external_metadata_type", "string")]
    [InlineData("clients", "fedcm_login", "object")]
    [InlineData("clients", "my_organization_configuration", "object")]
    [InlineData("clients", "redirection_policy", "string")]
    [InlineData("clients", "third_party_security_mode", "string")]
    [InlineData("clients", "token_vault_privileged_access", "object")]
    [InlineData("organizations", "client", "object")]
    [InlineData("organizations", "enabled_connections", "array")]
    [InlineData("organizations", "is_app_entitlement_active", "boolean")]
    [InlineData("organizations", "third_party_client_access", "string")]
    public void Schema_FieldRealTenantsReturn_DeclaredNullableWithItsType(string stream, string field, string type)
    {
        using var schema = JsonDocument.Parse(EmbeddedSchemas.Read(stream));

        Assert.True(schema.RootElement.GetProperty("properties").TryGetProperty(field, out var declared), $"{stream}.{field} is not declared");
        Assert.Equal(["null", type], Types(declared));
    }

    /// <summary>
    /// <paramref name="value"/> against <paramref name="schema"/>: its JSON type is one the schema allows (an integer
    /// is a number), and where the schema lists an object's properties or an array's items, every field is one of them.
    /// </summary>
    private static void Check(JsonElement value, JsonElement schema, string path, List<string> problems)
    {
        var kind = KindOf(value);
        var types = Types(schema);
        if (types.Count > 0 && !types.Contains(kind) && !(kind == "integer" && types.Contains("number")))
        {
            problems.Add($"{path} is {kind}, declared {string.Join("|", types)}");
            return;
        }

        if (value.ValueKind == JsonValueKind.Object && schema.TryGetProperty("properties", out var properties))
        {
            foreach (var field in value.EnumerateObject())
            {
                if (properties.TryGetProperty(field.Name, out var declared))
                {
                    Check(field.Value, declared, $"{path}.{field.Name}", problems);
                }
                else
                {
                    problems.Add($"{path}.{field.Name} ({KindOf(field.Value)}) is not declared");
                }
            }
        }

        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            foreach (var item in value.EnumerateArray())
            {
                Check(item, items, $"{path}[]", problems);
            }
        }
    }

    private static List<string> Types(JsonElement schema) =>
        !schema.TryGetProperty("type", out var type) ? []
        : type.ValueKind == JsonValueKind.Array ? [.. type.EnumerateArray().Select(t => t.GetString()!)]
        : [type.GetString()!];

    private static string KindOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => value.TryGetInt64(out _) ? "integer" : "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };

    private static IEnumerable<string> FieldNames(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => value.EnumerateObject().SelectMany(p => FieldNames(p.Value).Prepend(p.Name)),
        JsonValueKind.Array => value.EnumerateArray().SelectMany(FieldNames),
        _ => [],
    };
}
