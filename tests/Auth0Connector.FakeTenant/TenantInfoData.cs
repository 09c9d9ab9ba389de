using System.Globalization;
using System.Text.Json.Nodes;

namespace Auth0Connector.FakeTenant;

/// <summary>
/// Deterministic generation of log streams (with their sinks' credentials), daily stats, the tenant's settings and
/// its signing keys (docs/auth0-endpoints.md §2.9–2.12).
/// </summary>
internal static class TenantInfoData
{
    private static readonly string[] SinkTypes = ["datadog", "http", "splunk", "segment", "mixpanel", "sumo"];

    public static List<JsonObject> GenerateLogStreams(FakeTenantOptions o)
    {
        var rnd = new Random(unchecked((o.Seed * 7919) + 23));
        var result = new List<JsonObject>();
        for (int i = 0; i < Math.Max(0, o.LogStreams); i++)
        {
            string type = SinkTypes[i % SinkTypes.Length];
            var stream = new JsonObject
            {
                ["id"] = "lst_" + rnd.NextInt64(1_000_000_000_000_000, 9_999_999_999_999_999).ToString(CultureInfo.InvariantCulture),
                ["name"] = string.Create(CultureInfo.InvariantCulture, $"{type} stream {i}"),
                ["type"] = type,
                ["status"] = i % 4 == 3 ? "paused" : "active",
                ["sink"] = Sink(rnd, type),
                ["filters"] = new JsonArray(new JsonObject { ["type"] = "category", ["name"] = i % 2 == 0 ? "security" : "auth.login.fail" }),
                ["isPriority"] = i == 0,
            };
            if (i % 2 == 0)
            {
                stream["pii_config"] = new JsonObject { ["log_fields"] = new JsonArray("first_name", "email"), ["method"] = "mask", ["algorithm"] = "xxhash" };
            }

            result.Add(stream);
        }

        return result;
    }

    private static JsonObject Sink(Random rnd, string type) => type switch
    {
        "datadog" => new JsonObject { ["datadogApiKey"] = TenantData.RandomHex(rnd, 32), ["datadogRegion"] = "us" },
        "http" => new JsonObject
        {
            ["httpEndpoint"] = "https://logs.example.com/auth0",
            ["httpContentType"] = "application/json",
            ["httpContentFormat"] = "JSONLINES",
            ["httpAuthorization"] = "Bearer " + TenantData.RandomAlnum(rnd, 40),
            ["httpCustomHeaders"] = new JsonArray(new JsonObject { ["header"] = "X-Api-Key", ["value"] = TenantData.RandomAlnum(rnd, 24) }),
        },
        "splunk" => new JsonObject
        {
            ["splunkDomain"] = "splunk.example.com",
            ["splunkPort"] = "8088",
            ["splunkToken"] = TenantConfigData.Guid(rnd),
            ["splunkSecure"] = true,
        },
        "segment" => new JsonObject { ["segmentWriteKey"] = TenantData.RandomAlnum(rnd, 32) },
        "mixpanel" => new JsonObject
        {
            ["mixpanelRegion"] = "us",
            ["mixpanelProjectId"] = "3141592",
            ["mixpanelServiceAccountUsername"] = "auth0-export.abc123.mp-service-account",
            ["mixpanelServiceAccountPassword"] = TenantData.RandomAlnum(rnd, 32),
        },
        _ => new JsonObject { ["sumoSourceAddress"] = "https://endpoint1.collection.sumologic.com/receiver/v1/http/" + TenantData.RandomAlnum(rnd, 40) },
    };

    /// <summary>
    /// Daily stats of the <see cref="FakeTenantOptions.DailyStatsDays"/> days up to <paramref name="now"/>'s day:
    /// sparse (a day without activity has no row), today's row always present and stamped <paramref name="now"/>.
    /// </summary>
    public static SortedDictionary<DateOnly, JsonObject> GenerateDailyStats(FakeTenantOptions o, DateTimeOffset now)
    {
        var rnd = new Random(unchecked((o.Seed * 7919) + 24));
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var rows = new SortedDictionary<DateOnly, JsonObject>();
        int days = Math.Max(0, o.DailyStatsDays);
        for (int back = days - 1; back >= 0; back--)
        {
            var day = today.AddDays(-back);
            if (back > 0 && rnd.Next(100) < 30)
            {
                continue;
            }

            var midnight = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            var created = back == 0 ? midnight + ((now.UtcDateTime - midnight) / 2) : midnight.AddMinutes(rnd.Next(0, 720));
            var updated = back == 0 ? now.UtcDateTime : midnight.AddMinutes(rnd.Next(1380, 1440));
            // Older rows lack leaked_passwords_signup, as in the recorded traffic.
            rows[day] = StatsRow(day, created, updated, rnd.Next(0, 400), rnd.Next(0, 40), rnd.Next(0, 2), withSignupLeaks: back < days / 2);
        }

        return rows;
    }

    /// <summary>A <c>/stats/daily</c> row, keys in the order Auth0 sends them.</summary>
    public static JsonObject StatsRow(DateOnly day, DateTime created, DateTime updated, int logins, int signups, int leaked, bool withSignupLeaks)
    {
        var row = new JsonObject
        {
            ["date"] = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).ToString(TenantData.TimestampFormat, CultureInfo.InvariantCulture),
            ["created_at"] = created.ToString(TenantData.TimestampFormat, CultureInfo.InvariantCulture),
            ["leaked_passwords"] = leaked,
        };
        if (withSignupLeaks)
        {
            row["leaked_passwords_signup"] = 0;
        }

        row["logins"] = logins;
        row["signups"] = signups;
        row["updated_at"] = updated.ToString(TenantData.TimestampFormat, CultureInfo.InvariantCulture);
        return row;
    }

    public static JsonObject GenerateTenantSettings(FakeTenantOptions o) => new()
    {
        ["allowed_logout_urls"] = new JsonArray("https://app.example.com/logout"),
        ["acr_values_supported"] = new JsonArray(),
        ["change_password"] = new JsonObject { ["enabled"] = false, ["html"] = "<html><body>Change your password</body></html>" },
        ["default_audience"] = string.Empty,
        ["default_directory"] = "Username-Password-Authentication",
        ["default_redirection_uri"] = "https://example.com/login",
        ["device_flow"] = new JsonObject { ["charset"] = "base20", ["mask"] = "****-****" },
        ["enabled_locales"] = new JsonArray("en", "fr", "de"),
        ["error_page"] = new JsonObject { ["html"] = string.Empty, ["show_log_link"] = false, ["url"] = "https://example.com/error" },
        ["flags"] = new JsonObject
        {
            ["allow_changing_enable_sso"] = false,
            ["disable_impersonation"] = true,
            ["enable_sso"] = true,
            ["revoke_refresh_token_grant"] = false,
            ["universal_login"] = true,
            ["disable_clickjack_protection_headers"] = false,
        },
        ["friendly_name"] = "My " + o.TenantName,
        ["guardian_mfa_page"] = new JsonObject { ["enabled"] = true, ["html"] = "<!DOCTYPE html><html><head><title>MFA</title></head><body></body></html>" },
        ["idle_session_lifetime"] = 72,
        ["idle_ephemeral_session_lifetime"] = 0.08333333333333333,
        ["ephemeral_session_lifetime"] = 0.5,
        ["picture_url"] = "https://cdn.example.com/" + o.TenantName + "/logo.png",
        ["sandbox_version"] = "18",
        ["legacy_sandbox_version"] = string.Empty,
        ["sandbox_versions_available"] = new JsonArray("22", "18", "16"),
        ["session_lifetime"] = 168,
        ["support_email"] = "support@example.com",
        ["support_url"] = "https://support.example.com",
        ["sessions"] = new JsonObject { ["oidc_logout_prompt_enabled"] = false },
        ["session_cookie"] = new JsonObject { ["mode"] = "non-persistent" },
        ["oidc_logout"] = new JsonObject { ["rp_logout_end_session_endpoint_discovery"] = true },
        ["default_token_quota"] = new JsonObject
        {
            ["clients"] = new JsonObject { ["client_credentials"] = new JsonObject { ["enforce"] = false, ["per_day"] = 1000 } },
        },
        ["mtls"] = new JsonObject { ["enable_endpoint_aliases"] = false },
        ["pushed_authorization_requests_supported"] = false,
        ["customize_mfa_in_postlogin_action"] = false,
        ["allow_organization_name_in_authentication_api"] = false,
    };

    /// <summary>The previous (revoked), current and next signing keys: public material only.</summary>
    public static List<JsonObject> GenerateSigningKeys(FakeTenantOptions o)
    {
        var rnd = new Random(unchecked((o.Seed * 7919) + 25));
        var rotated = new DateTime(2024, 3, 1, 10, 0, 0, DateTimeKind.Utc);
        var keys = new List<JsonObject>();
        for (int i = 0; i < 3; i++)
        {
            var key = new JsonObject
            {
                ["kid"] = TenantData.RandomAlnum(rnd, 22),
                ["cert"] = "-----BEGIN CERTIFICATE-----\r\nMIIDHTCCAgWgAwIBAgIJ" + TenantData.RandomAlnum(rnd, 60) + "\r\n-----END CERTIFICATE-----",
                ["pkcs7"] = "-----BEGIN PKCS7-----\r\nMIIDTQYJKoZIhvcNAQcCoIIDPjCCAzoCAQEx" + TenantData.RandomAlnum(rnd, 60) + "\r\n-----END PKCS7-----",
                ["current"] = i == 1,
                ["next"] = i == 2,
                ["previous"] = i == 0,
                ["fingerprint"] = string.Join(':', Enumerable.Range(0, 20).Select(_ => TenantData.RandomHex(rnd, 2).ToUpperInvariant())),
                ["thumbprint"] = TenantData.RandomAlnum(rnd, 27),
                ["revoked"] = i == 0,
            };
            if (i < 2)
            {
                key["current_since"] = rotated.AddDays((i * 200) - 200).ToString(TenantData.TimestampFormat, CultureInfo.InvariantCulture);
            }

            if (i == 0)
            {
                key["current_until"] = rotated.ToString(TenantData.TimestampFormat, CultureInfo.InvariantCulture);
                key["revoked_at"] = rotated.AddDays(30).ToString(TenantData.TimestampFormat, CultureInfo.InvariantCulture);
            }

            keys.Add(key);
        }

        return keys;
    }
}
