using System.Text.Json;
using Auth0Connector.Protocol;
using Auth0Connector.Tests.Support;
using Json.Schema;

namespace Auth0Connector.Tests.Schemas;

/// <summary>
/// The stream schemas under src/Auth0Connector/Schemas: valid draft-7, true to what the streams emit,
/// and declaring the fields Airbyte's source-auth0 also declares with the types agreed in docs/schemas.md.
/// </summary>
public class StreamSchemaTests(StreamSchemaRuns runs) : IClassFixture<StreamSchemaRuns>
{
    public static readonly TheoryData<string> Streams = new(TenantFiles.AllStreams);

    /// <summary>
    /// Every field source-auth0 also declares, as we declare it (docs/schemas.md lists where and why
    /// that differs from theirs). Type notation: <c>string</c>, <c>string/date-time</c>,
    /// <c>array&lt;string&gt;</c>; <c>Nullable</c> is whether null is allowed.
    /// </summary>
    /// <summary>
    /// Every field source-auth0 also declares, as we declare it. <c>Theirs</c> is their type where it
    /// differs (they allow null everywhere): each such difference has a row in docs/schemas.md.
    /// Type notation: <c>string</c>, <c>string/date-time</c>, <c>array&lt;string&gt;</c>, <c>integer|string</c>;
    /// a path like <c>identities[].user_id</c> names a nested field.
    /// </summary>
    private static readonly Shared[] SharedWithSourceAuth0 =
    [
        new("clients", "client_id", "string", Nullable: false),
        new("clients", "tenant", "string"),
        new("clients", "name", "string"),
        new("clients", "description", "string"),
        new("clients", "global", "boolean"),
        new("clients", "client_secret", "string"),
        new("clients", "app_type", "string"),
        new("clients", "logo_uri", "string"),
        new("clients", "is_first_party", "boolean"),
        new("clients", "oidc_conformant", "boolean"),
        new("clients", "callbacks", "array<string>"),
        new("clients", "allowed_origins", "array<string>"),
        new("clients", "web_origins", "array<string>"),
        new("clients", "client_aliases", "array<string>"),
        new("clients", "allowed_clients", "array<string>"),
        new("clients", "allowed_logout_urls", "array<string>"),
        new("clients", "owners", "array<string>"),
        new("clients", "grant_types", "array<string>"),
        new("clients", "jwt_configuration", "object"),
        new("clients", "jwt_configuration.alg", "string"),
        new("clients", "jwt_configuration.scopes", "object"),
        new("clients", "jwt_configuration.secret_encoded", "boolean"),
        // Older tenants return it as a string (go-auth0 ClientJWTConfiguration.UnmarshalJSON).
        new("clients", "jwt_configuration.lifetime_in_seconds", "integer|string", Theirs: "integer"),
        new("clients", "signing_keys", "array<object>"),
        new("clients", "encryption_key", "object"),
        new("clients", "encryption_key.pub", "string"),
        new("clients", "encryption_key.cert", "string"),
        new("clients", "encryption_key.subject", "string"),
        new("clients", "sso", "boolean"),
        new("clients", "sso_disabled", "boolean"),
        new("clients", "cross_origin_authentication", "boolean"),
        new("clients", "cross_origin_auth", "boolean"),
        new("clients", "cross_origin_loc", "string"),
        new("clients", "custom_login_page_on", "boolean"),
        new("clients", "custom_login_page", "string"),
        new("clients", "custom_login_page_preview", "string"),
        new("clients", "form_template", "string"),
        new("clients", "callback_url_template", "boolean"),
        new("clients", "addons", "object"),
        new("clients", "token_endpoint_auth_method", "string"),
        new("clients", "is_token_endpoint_ip_header_trusted", "boolean"),
        new("clients", "client_metadata", "object"),
        new("clients", "mobile", "object"),
        new("clients", "initiate_login_uri", "string"),
        new("clients", "native_social_login", "object"),
        new("clients", "refresh_token", "object"),
        new("clients", "refresh_token.leeway", "integer"),
        new("clients", "refresh_token.rotation_type", "string"),
        new("clients", "refresh_token.expiration_type", "string"),
        new("clients", "organization_usage", "string"),
        new("clients", "organization_require_behavior", "string"),
        new("clients", "client_authentication_methods", "object"),
        new("clients", "oidc_backchannel_logout", "object"),
        new("clients", "oidc_backchannel_logout.backchannel_logout_urls", "array<string>"),
        new("organizations", "id", "string", Nullable: false),
        new("organizations", "name", "string"),
        new("organizations", "display_name", "string"),
        new("organizations", "branding", "object"),
        new("organizations", "metadata", "object"),
        new("organization_members", "org_id", "string", Nullable: false),
        new("organization_members", "user_id", "string", Nullable: false),
        new("organization_members", "email", "string"),
        new("organization_members", "picture", "string"),
        new("organization_members", "name", "string"),
        new("organization_member_roles", "org_id", "string", Nullable: false),
        new("organization_member_roles", "user_id", "string", Nullable: false),
        new("organization_member_roles", "id", "string", Nullable: false),
        new("organization_member_roles", "name", "string"),
        new("organization_member_roles", "description", "string"),
        new("users", "user_id", "string", Nullable: false),
        new("users", "email", "string"),
        new("users", "email_verified", "boolean"),
        new("users", "username", "string"),
        new("users", "phone_number", "string"),
        new("users", "phone_verified", "boolean"),
        new("users", "created_at", "string/date-time"),
        new("users", "updated_at", "string/date-time"),
        new("users", "identities", "array<object>"),
        new("users", "identities[].connection", "string"),
        new("users", "app_metadata", "object"),
        new("users", "user_metadata", "object"),
        new("users", "picture", "string"),
        new("users", "name", "string"),
        new("users", "nickname", "string"),
        new("users", "multifactor", "array<string>"),
        new("users", "last_ip", "string"),
        // As theirs: a date-time format here would retype an existing destination column.
        new("users", "last_login", "string"),
        new("users", "logins_count", "integer"),
        new("users", "blocked", "boolean"),
        new("users", "given_name", "string"),
        new("users", "family_name", "string"),
    ];

    /// <summary>Declared by source-auth0 (or by us before) but never carried by the stream: not declared.</summary>
    private static readonly (string Stream, string Field, string Why)[] NeverFilled =
    [
        ("organization_members", "roles", "the members listing is read without fields=roles; roles are the organization_member_roles stream"),
        ("users", "_links", "no Auth0 user object has it (Management API reference, go-auth0 User, auth0.net User)"),
    ];

    internal static JsonElement SchemaOf(string stream)
    {
        using var document = JsonDocument.Parse(EmbeddedSchemas.Read(stream));
        return document.RootElement.Clone();
    }

    /// <summary>The declaration at <paramref name="path"/> (<c>a.b</c>, <c>a[].b</c>), or null when not declared.</summary>
    private static JsonElement? PropertyAt(string stream, string path)
    {
        var node = SchemaOf(stream);
        foreach (var part in path.Split('.'))
        {
            var name = part.EndsWith("[]", StringComparison.Ordinal) ? part[..^2] : part;
            if (!node.TryGetProperty("properties", out var properties) || !properties.TryGetProperty(name, out node))
            {
                return null;
            }

            if (name != part && !node.TryGetProperty("items", out node))
            {
                return null;
            }
        }

        return node;
    }

    private static readonly Dictionary<string, JsonSchema> Compiled = TenantFiles.AllStreams.ToDictionary(s => s, s => JsonSchema.FromText(SchemaOf(s).GetRawText()));

    private static readonly EvaluationOptions Strict = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    /// <summary>Why a record does not fit its stream's schema; empty when it does.</summary>
    internal static List<string> Violations(string stream, JsonElement record)
    {
        var result = Compiled[stream].Evaluate(record, Strict);
        if (result.IsValid)
        {
            return [];
        }

        var problems = (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).ToList();
        return problems.Count > 0 ? problems : ["invalid"];
    }

    /// <summary><c>string</c>, <c>string/date-time</c>, <c>array&lt;string&gt;</c>..., and whether null is allowed.</summary>
    private static (string Type, bool Nullable) Declared(JsonElement property)
    {
        var types = property.GetProperty("type") is { ValueKind: JsonValueKind.Array } list
            ? list.EnumerateArray().Select(t => t.GetString()!).ToList()
            : [property.GetProperty("type").GetString()!];
        var nullable = types.Remove("null");
        var type = string.Join("|", types.Order(StringComparer.Ordinal));
        if (type == "array" && property.TryGetProperty("items", out var items))
        {
            type = $"array<{Declared(items).Type}>";
        }

        if (property.TryGetProperty("format", out var format))
        {
            type += "/" + format.GetString();
        }

        return (type, nullable);
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public void Schema_AgainstTheDraft7MetaSchema_IsValid(string stream)
    {
        var schema = SchemaOf(stream);

        var result = MetaSchemas.Draft7.Evaluate(schema, new EvaluationOptions { OutputFormat = OutputFormat.List });

        Assert.True(result.IsValid, $"{stream}: {string.Join("; ", (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")))}");
        Assert.Equal("http://json-schema.org/draft-07/schema#", schema.GetProperty("$schema").GetString());
        Assert.Equal("object", schema.GetProperty("type").GetString());
        Assert.True(schema.GetProperty("additionalProperties").GetBoolean());
        Assert.NotEmpty(schema.GetProperty("properties").EnumerateObject());
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public void EveryRecord_OfTheFakeTenant_ValidatesAgainstItsStreamSchema(string stream)
    {
        var records = runs.Records(stream);

        Assert.NotEmpty(records);
        foreach (var (path, record) in records)
        {
            var problems = Violations(stream, record);
            Assert.True(problems.Count == 0, $"{stream} ({path}): {string.Join("; ", problems)}\n{record.GetRawText()}");
        }
    }

    [Theory]
    [InlineData("users", """{"user_id":"auth0|1","last_login":1700000000}""")]
    [InlineData("users", """{"user_id":"auth0|1","updated_at":"yesterday"}""")]
    [InlineData("users", """{"user_id":"auth0|1","multifactor":{"guardian":true}}""")]
    [InlineData("organization_members", """{"org_id":"org_1","user_id":null}""")]
    [InlineData("clients", """{"client_id":"c","jwt_configuration":{"lifetime_in_seconds":true}}""")]
    public void Validation_OfAMistypedRecord_Fails(string stream, string record)
    {
        using var document = JsonDocument.Parse(record);

        Assert.NotEmpty(Violations(stream, document.RootElement));
    }

    [Fact]
    public void SharedFields_ComparedWithSourceAuth0_HaveTheAgreedTypes()
    {
        var mismatches = new List<string>();
        foreach (var shared in SharedWithSourceAuth0)
        {
            if (PropertyAt(shared.Stream, shared.Field) is not { } property)
            {
                mismatches.Add($"{shared.Stream}.{shared.Field}: not declared");
                continue;
            }

            var declared = Declared(property);
            if (declared != (shared.Type, shared.Nullable))
            {
                mismatches.Add($"{shared.Stream}.{shared.Field}: declared {declared.Type} (nullable {declared.Nullable}), agreed {shared.Type} (nullable {shared.Nullable})");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Fact]
    public void Differences_FromSourceAuth0_AreEachListedInTheDocs()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Auth0Connector.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        var docs = File.ReadAllText(Path.Combine(root.FullName, "docs", "schemas.md"));
        var differences = SharedWithSourceAuth0.Where(f => f.Theirs is not null || !f.Nullable).Select(f => (f.Stream, f.Field))
            .Concat(NeverFilled.Select(f => (f.Stream, f.Field)));
        var missing = differences.Where(d => !SectionOf(docs, d.Stream).Contains($"| `{d.Field}` |", StringComparison.Ordinal)).ToList();

        Assert.True(missing.Count == 0, "docs/schemas.md lacks rows for: " + string.Join(", ", missing.Select(m => $"{m.Stream}.{m.Field}")));
    }

    /// <summary>The text of a markdown section <c>## stream</c>, up to the next <c>## </c> heading.</summary>
    private static string SectionOf(string markdown, string stream)
    {
        var start = markdown.IndexOf($"\n## {stream}\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/schemas.md has no section '## {stream}'");
        var end = markdown.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return end < 0 ? markdown[start..] : markdown[start..end];
    }

    [Fact]
    public void Schemas_FieldsTheStreamNeverFills_AreNotDeclared()
    {
        foreach (var (stream, field, why) in NeverFilled)
        {
            Assert.False(SchemaOf(stream).GetProperty("properties").TryGetProperty(field, out _), $"{stream} declares {field}, but {why}");
        }
    }

    [Theory]
    [InlineData("organization_members")]
    [InlineData("organization_member_roles")]
    public void DeclaredFields_OfTheMemberStreams_AreExactlyTheFieldsTheirRecordsCarry(string stream)
    {
        // Auth0 returns these objects whole (no optional attributes), so what the fake tenant's records
        // carry is the full set: a declared field beyond it is one the stream never fills.
        var carried = runs.Records(stream).SelectMany(r => r.Record.EnumerateObject().Select(p => p.Name)).ToHashSet(StringComparer.Ordinal);
        var declared = SchemaOf(stream).GetProperty("properties").EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(carried.Order(StringComparer.Ordinal), declared.Order(StringComparer.Ordinal));
    }

    /// <summary>A field both we and source-auth0 declare: our type, and theirs where it differs.</summary>
    private sealed record Shared(string Stream, string Field, string Type, bool Nullable = true, string? Theirs = null);
}
