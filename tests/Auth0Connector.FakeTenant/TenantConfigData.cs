using System.Globalization;
using System.Text.Json.Nodes;

namespace Auth0Connector.FakeTenant;

/// <summary>
/// Deterministic generation of a tenant's configuration objects: connections, client grants and actions
/// (docs/auth0-endpoints.md §2.5, §2.7, §2.8), with the secrets Auth0 returns in its lists (connection options).
/// </summary>
internal static class TenantConfigData
{
    private static readonly string[] Strategies = ["auth0", "google-oauth2", "waad", "samlp", "sms", "okta"];

    private static readonly string[] Triggers = ["post-login", "credentials-exchange", "pre-user-registration", "post-change-password"];

    public static List<JsonObject> GenerateConnections(FakeTenantOptions o)
    {
        var rnd = new Random(unchecked((o.Seed * 7919) + 20));
        var result = new List<JsonObject>();
        for (int i = 0; i < Math.Max(0, o.Connections); i++)
        {
            string strategy = Strategies[i % Strategies.Length];
            string name = i == 0 ? "Username-Password-Authentication" : string.Create(CultureInfo.InvariantCulture, $"{strategy}-conn-{i}");
            bool enterprise = strategy is "waad" or "samlp" or "okta";
            var connection = new JsonObject
            {
                ["id"] = "con_" + TenantData.RandomAlnum(rnd, 16),
                ["options"] = ConnectionOptions(rnd, strategy, i),
                ["strategy"] = strategy,
                ["name"] = name,
                ["is_domain_connection"] = false,
                ["authentication"] = new JsonObject { ["active"] = true },
                ["connected_accounts"] = new JsonObject { ["active"] = strategy == "google-oauth2" },
                ["realms"] = new JsonArray(name),
                ["enabled_clients"] = new JsonArray(),
            };
            if (enterprise)
            {
                connection["display_name"] = string.Create(CultureInfo.InvariantCulture, $"Corporate SSO {i}");
                connection["show_as_button"] = i % 2 == 0;
                connection["metadata"] = new JsonObject { ["owner"] = "it-team", ["ticket"] = string.Create(CultureInfo.InvariantCulture, $"IT-{1000 + i}") };
            }

            if (i % 5 == 3)
            {
                connection["provisioning_ticket_url"] = "https://manage.auth0.com/p/" + strategy + "/" + TenantData.RandomAlnum(rnd, 12);

                // A field the connector's schema does not know: it must pass through untouched.
                connection["custom_field_x"] = new JsonObject { ["team"] = "identity", ["cost_center"] = 4200 + i };
            }

            result.Add(connection);
        }

        return result;
    }

    private static JsonObject ConnectionOptions(Random rnd, string strategy, int i) => strategy switch
    {
        "auth0" => new JsonObject
        {
            ["mfa"] = new JsonObject { ["active"] = true, ["return_enroll_settings"] = true },
            ["passwordPolicy"] = "good",
            ["password_complexity_options"] = new JsonObject { ["min_length"] = 8 },
            ["brute_force_protection"] = true,
            ["strategy_version"] = 2,
            ["disable_signup"] = i % 2 == 1,
        },
        "google-oauth2" => new JsonObject
        {
            ["client_id"] = TenantData.RandomAlnum(rnd, 24) + ".apps.googleusercontent.com",
            ["client_secret"] = "GOCSPX-" + TenantData.RandomAlnum(rnd, 28),
            ["scope"] = new JsonArray("email", "profile"),
            ["email"] = true,
            ["profile"] = true,
        },
        "waad" => new JsonObject
        {
            ["client_id"] = Guid(rnd),
            ["client_secret"] = "waad~" + TenantData.RandomAlnum(rnd, 34),
            ["domain"] = "contoso.onmicrosoft.com",
            ["tenant_domain"] = "contoso.onmicrosoft.com",
            ["waad_protocol"] = "openid-connect",
            ["identity_api"] = "microsoft-identity-platform-v2.0",
            ["domain_aliases"] = new JsonArray("contoso.com"),
        },
        "samlp" => new JsonObject
        {
            ["signInEndpoint"] = "https://idp.example.com/saml/sso",
            ["signingCert"] = "MIIC8DCCAdigAwIBAgIQ" + TenantData.RandomAlnum(rnd, 48),
            ["decryptionKey"] = new JsonObject
            {
                ["key"] = "-----BEGIN PRIVATE KEY-----\n" + TenantData.RandomAlnum(rnd, 48) + "\n-----END PRIVATE KEY-----\n",
                ["cert"] = "-----BEGIN CERTIFICATE-----\n" + TenantData.RandomAlnum(rnd, 48) + "\n-----END CERTIFICATE-----\n",
            },
            ["signatureAlgorithm"] = "rsa-sha256",
            ["digestAlgorithm"] = "sha256",
            ["fieldsMap"] = new JsonObject(),
        },
        "sms" => new JsonObject
        {
            ["name"] = "sms",
            ["from"] = "+15550100",
            ["syntax"] = "md_with_macros",
            ["template"] = "Your code is @@password@@",
            ["twilio_sid"] = "AC" + TenantData.RandomHex(rnd, 32),
            ["twilio_token"] = TenantData.RandomHex(rnd, 32),
            ["totp"] = new JsonObject { ["length"] = 6, ["time_step"] = 300 },
        },
        _ => new JsonObject
        {
            ["client_id"] = "0oa" + TenantData.RandomAlnum(rnd, 17),
            ["client_secret"] = "okta-" + TenantData.RandomAlnum(rnd, 40),
            ["domain"] = "example.okta.com",
            ["scope"] = "openid profile email",
        },
    };

    public static List<JsonObject> GenerateClientGrants(FakeTenantOptions o, IReadOnlyList<JsonObject> clients)
    {
        var rnd = new Random(unchecked((o.Seed * 7919) + 21));
        string managementApi = "https://" + o.TenantName + ".us.auth0.com/api/v2/";
        var result = new List<JsonObject>();
        for (int i = 0; i < Math.Max(0, o.ClientGrants); i++)
        {
            bool self = i == 0;
            string clientId = clients.Count == 0 ? TenantData.RandomAlnum(rnd, 32) : (string)clients[i % clients.Count]["client_id"]!;
            var grant = new JsonObject
            {
                ["id"] = "cgr_" + TenantData.RandomAlnum(rnd, 16),
                ["client_id"] = clientId,
                ["audience"] = self || i % 3 == 1 ? managementApi : string.Create(CultureInfo.InvariantCulture, $"https://api{i % 7}.example.com/"),
                ["scope"] = self ? new JsonArray([.. o.GrantedScopes.Select(s => JsonValue.Create(s))]) : new JsonArray("read:messages", "write:messages"),
                ["subject_type"] = i % 4 == 2 ? "user" : "client",
            };
            if (i % 4 == 2)
            {
                grant["authorization_details_types"] = new JsonArray("payment", "shipping");
            }

            if (i % 5 == 4)
            {
                grant["organization_usage"] = "allow";
                grant["allow_any_organization"] = true;
            }

            if (i == 1)
            {
                grant["is_system"] = true;
            }

            result.Add(grant);
        }

        return result;
    }

    public static List<JsonObject> GenerateActions(FakeTenantOptions o)
    {
        var rnd = new Random(unchecked((o.Seed * 7919) + 22));
        var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var result = new List<JsonObject>();
        for (int i = 0; i < Math.Max(0, o.Actions); i++)
        {
            string trigger = Triggers[i % Triggers.Length];
            string runtime = i % 3 == 0 ? "node18" : "node22";
            string code = string.Create(CultureInfo.InvariantCulture, $"exports.onExecute{(trigger == "post-login" ? "PostLogin" : "Hook")} = async (event, api) => {{ /* action {i} */ }};");
            var created = start.AddMinutes(i * 97).AddTicks(rnd.Next(10_000_000));
            var updated = created.AddHours(rnd.Next(1, 500)).AddTicks(rnd.Next(10_000_000));
            bool deployed = i % 4 != 3;
            var action = new JsonObject
            {
                ["id"] = Guid(rnd),
                ["name"] = string.Create(CultureInfo.InvariantCulture, $"Action {i} ({trigger})"),
                ["supported_triggers"] = new JsonArray(new JsonObject { ["id"] = trigger, ["version"] = trigger == "post-login" ? "v3" : "v2" }),
                ["created_at"] = Nanos(created, rnd),
                ["updated_at"] = Nanos(updated, rnd),
                ["code"] = code,
                ["dependencies"] = i % 2 == 0 ? new JsonArray(new JsonObject { ["name"] = "axios", ["version"] = "1.7.2" }) : new JsonArray(),
                ["runtime"] = runtime,
                ["status"] = "built",
                ["secrets"] = new JsonArray(new JsonObject { ["name"] = "API_KEY", ["updated_at"] = Nanos(updated, rnd) }),
                ["all_changes_deployed"] = deployed,
                ["built_at"] = Nanos(updated.AddSeconds(3), rnd),
            };
            var version = new JsonObject
            {
                ["id"] = Guid(rnd),
                ["code"] = code,
                ["dependencies"] = action["dependencies"]!.DeepClone(),
                ["runtime"] = runtime,
                ["status"] = "BUILT",
                ["number"] = 1 + (i % 3),
                ["build_time"] = Nanos(updated.AddSeconds(3), rnd),
                ["created_at"] = Nanos(updated, rnd),
                ["updated_at"] = Nanos(updated.AddSeconds(3), rnd),
            };
            action["current_version"] = version;
            if (deployed)
            {
                var deployedVersion = (JsonObject)version.DeepClone();
                deployedVersion["deployed"] = true;
                action["deployed_version"] = deployedVersion;
            }

            if (i % 3 == 2)
            {
                // A field the connector's schema does not know: it must pass through untouched.
                action["custom_field_x"] = new JsonObject { ["reviewed_by"] = "security" };
            }

            result.Add(action);
        }

        return result;
    }

    /// <summary>A UUID (actions' ids, Azure AD client ids) drawn from <paramref name="rnd"/>.</summary>
    public static string Guid(Random rnd)
    {
        var bytes = new byte[16];
        rnd.NextBytes(bytes);
        return new System.Guid(bytes).ToString("D", CultureInfo.InvariantCulture);
    }

    /// <summary>Actions' nanosecond timestamps: <c>2024-04-04T09:42:21.630872761Z</c>.</summary>
    private static string Nanos(DateTime time, Random rnd) =>
        time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture) + rnd.Next(100).ToString("00", CultureInfo.InvariantCulture) + "Z";
}
