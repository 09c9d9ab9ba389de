using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using WireMock;

namespace Auth0Connector.FakeTenant;

/// <summary>
/// <c>GET /api/v2/resource-servers</c> (docs/auth0-endpoints.md §2.6): offset paging only
/// (<c>page</c>, <c>per_page</c> ≤ 100, <c>include_totals</c> → <c>{total,start,limit,resource_servers}</c>),
/// the 1000-result cap, <c>identifiers</c> filter, un-prefixed 24-hex ids, system APIs with
/// <c>is_system: true</c>, and <c>signing_secret</c> in the list for HS256 APIs (as recorded).
/// </summary>
public sealed partial class FakeTenant
{
    private readonly Lazy<List<JsonObject>> _resourceServers;

    /// <summary>The tenant's APIs in listing order: the system ones first.</summary>
    public IReadOnlyList<JsonObject> ResourceServers => _resourceServers.Value;

    private ResponseMessage GetResourceServers(ApiCall call)
    {
        if (!RequireScope(call, out var error, "read:resource_servers")
            || !RequireDeclaredParameters(call, out error, "page", "per_page", "include_totals", "identifiers", "include_fields"))
        {
            return error;
        }

        var servers = _resourceServers.Value;
        var identifiers = call.Query.TryGetValue("identifiers", out var wanted) ? wanted.Split(',').ToHashSet(StringComparer.Ordinal) : null;
        if (identifiers is not null)
        {
            servers = servers.Where(s => identifiers.Contains((string)s["identifier"]!)).ToList();
        }

        var projection = Projection.All;
        return Offset(call, "resource_servers", OrganizationsCapMessage, servers.Count, i => servers[i], (w, s) => Http.WriteProjected(w, s, projection), withLength: false);
    }

    private static List<JsonObject> GenerateResourceServers(FakeTenantOptions o, string audience)
    {
        var rnd = new Random(unchecked((o.Seed * 7919) + 11));
        var servers = new List<JsonObject>
        {
            new()
            {
                ["id"] = TenantData.RandomHex(rnd, 24),
                ["name"] = "Auth0 Management API",
                ["identifier"] = audience,
                ["is_system"] = true,
                ["allow_offline_access"] = false,
                ["skip_consent_for_verifiable_first_party_clients"] = false,
                ["subject_type_authorization"] = new JsonObject
                {
                    ["client"] = new JsonObject { ["policy"] = "require_client_grant" },
                    ["user"] = new JsonObject { ["policy"] = "allow_all" },
                },
                ["token_lifetime"] = 86400,
                ["token_lifetime_for_web"] = 7200,
                ["signing_alg"] = "RS256",
                ["scopes"] = new JsonArray(AllScopes.Select(s => (JsonNode)new JsonObject { ["description"] = "Read " + s[5..].Replace('_', ' '), ["value"] = s }).ToArray()),
            },
        };
        for (int i = 1; i < Math.Max(1, o.ResourceServers); i++)
        {
            bool hs256 = i % 3 == 0;
            var api = new JsonObject
            {
                ["id"] = TenantData.RandomHex(rnd, 24),
                ["name"] = string.Create(CultureInfo.InvariantCulture, $"API {i}"),
                ["identifier"] = string.Create(CultureInfo.InvariantCulture, $"https://api{i}.example.com/"),
                ["allow_offline_access"] = i % 2 == 0,
                ["skip_consent_for_verifiable_first_party_clients"] = true,
                ["token_lifetime"] = 86400,
                ["token_lifetime_for_web"] = 7200,
                ["signing_alg"] = hs256 ? "HS256" : "RS256",
                ["scopes"] = new JsonArray(new JsonObject { ["value"] = "read:things", ["description"] = "Read things" }, new JsonObject { ["value"] = "write:things", ["description"] = "Write things" }),
                ["enforce_policies"] = i % 2 == 1,
                ["token_dialect"] = i % 2 == 1 ? "access_token_authz" : "access_token",
            };
            if (hs256)
            {
                // Auth0 lists an HS256 API's signing secret: it passes through as data, never into a log.
                api["signing_secret"] = TenantData.RandomAlnum(rnd, 32);
            }

            if (i % 4 == 1)
            {
                // A field newer than any schema: records pass through untouched.
                api["proof_of_possession"] = new JsonObject { ["mechanism"] = "mtls", ["required"] = false };
            }

            servers.Add(api);
        }

        return servers;
    }
}
