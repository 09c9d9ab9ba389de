using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace Auth0Connector.FakeTenant;

/// <summary>One organization with its members (sorted by user_id) and each member's roles.</summary>
internal sealed class OrganizationData(JsonObject json, MemberData[] members)
{
    public string Id { get; } = (string)json["id"]!;

    public JsonObject Json { get; } = json;

    public MemberData[] Members { get; } = members;

    public IReadOnlyList<JsonObject> MemberJson { get; } = Array.ConvertAll(members, m => m.Json);

    public Dictionary<string, MemberData> ByUserId { get; } = members.ToDictionary(m => m.UserId, StringComparer.Ordinal);
}

/// <summary>A member record <c>{user_id, email, picture, name}</c> and its roles (records of the catalog).</summary>
internal sealed class MemberData(string userId, JsonObject json, JsonObject[] roles)
{
    public string UserId { get; } = userId;

    public JsonObject Json { get; } = json;

    public JsonObject[] Roles { get; } = roles;
}

/// <summary>Deterministic generation of a tenant's records.</summary>
internal static class TenantData
{
    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    private static readonly string[] FirstNames =
    [
        "Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "Edsger",
        "Radia", "Tim", "Hedy", "John", "Katherine", "Donald", "Sophie", "Niklaus", "Shafi", "Leslie",
        "Anita", "Guido", "Jean", "Bjarne", "Karen", "James", "Adele", "Brian", "Mary", "Yukihiro",
    ];

    private static readonly string[] LastNames =
    [
        "Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Allen", "Dijkstra",
        "Perlman", "Berners-Lee", "Lamarr", "McCarthy", "Johnson", "Knuth", "Wilson", "Wirth", "Goldwasser", "Lamport",
        "Borg", "van Rossum", "Sammet", "Stroustrup", "Jones", "Gosling", "Goldberg", "Kernighan", "Keller", "Matsumoto",
    ];

    private static readonly string[] Plans = ["free", "pro", "enterprise"];

    private static readonly string[] Languages = ["en", "fr", "de", "es", "ja", "pt-BR"];

    private static readonly string[] CompanyWords =
    [
        "acme", "globex", "initech", "umbrella", "hooli", "vandelay", "stark", "wayne", "wonka", "tyrell",
        "cyberdyne", "soylent", "aperture", "massive", "oscorp", "gringotts", "monarch", "nakatomi", "weyland", "zorg",
    ];

    private static readonly (string Name, string Description)[] RoleNames =
    [
        ("admin", "Full access to the organization"),
        ("editor", "Can edit content"),
        ("viewer", "Read-only access"),
        ("billing", "Manages invoices and payment methods"),
        ("support", "Answers customer tickets"),
        ("auditor", "Reads audit logs"),
        ("developer", "Manages applications and APIs"),
        ("owner", "Owns the organization"),
    ];

    private static readonly string[] AppTypes = ["non_interactive", "regular_web", "spa", "native"];

    public static string FormatTimestamp(long utcTicks) =>
        new DateTime(utcTicks, DateTimeKind.Utc).ToString(TimestampFormat, CultureInfo.InvariantCulture);

    public static long TruncateToMilliseconds(long ticks) => ticks - (ticks % TimeSpan.TicksPerMillisecond);

    /// <summary>Users sorted by (updated_at, user_id); also returns the shared updated_at when ties were seeded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per user: skip tier-0 code for the loops
    public static (UserEntry[] ByUpdated, IReadOnlyList<long> SharedTicks) GenerateUsers(FakeTenantOptions o)
    {
        int n = Math.Max(0, o.Users);
        var rnd = new Random(unchecked((o.Seed * 7919) + 1));
        long fromMs = o.UsersUpdatedFrom.UtcTicks / TimeSpan.TicksPerMillisecond;
        long toMs = Math.Max(fromMs + 1, o.UsersUpdatedTo.UtcTicks / TimeSpan.TicksPerMillisecond);
        long span = toMs - fromMs;

        // Distinct, increasing updated_at values: one random millisecond in each of n equal slots.
        var updatedMs = new long[n];
        double step = n == 0 ? 0 : (double)span / n;
        for (int i = 0; i < n; i++)
        {
            long slotStart = fromMs + (long)(i * step);
            long slotEnd = fromMs + (long)((i + 1) * step);
            long width = Math.Max(1, slotEnd - slotStart);
            updatedMs[i] = Math.Max(i == 0 ? fromMs : updatedMs[i - 1] + 1, slotStart + rnd.NextInt64(width));
        }

        // Blocks of users sharing one millisecond, evenly spaced in the updated_at order (one block: in the middle).
        var shared = new List<long>();
        int blocks = Math.Max(1, o.SharedTimestampBlocks);
        int sharing = Math.Clamp(o.UsersSharingOneTimestamp, 0, n / blocks);
        if (sharing > 1)
        {
            int gap = (n - (sharing * blocks)) / (blocks + 1);
            for (int b = 0; b < blocks; b++)
            {
                int start = (gap * (b + 1)) + (sharing * b);
                long value = updatedMs[start];
                for (int i = start; i < start + sharing; i++)
                {
                    updatedMs[i] = value;
                }

                shared.Add(value * TimeSpan.TicksPerMillisecond);
            }
        }

        var ids = new HashSet<string>(n, StringComparer.Ordinal);
        var entries = new UserEntry[n];
        var hex = new char[24];
        for (int i = 0; i < n; i++)
        {
            long upd = updatedMs[i];
            long created = fromMs + (long)(rnd.NextDouble() * (upd - fromMs));
            bool social = rnd.Next(100) < 15;
            string localId;
            do
            {
                localId = social ? GoogleId(rnd) : ObjectId(rnd, created, hex);
            }
            while (!ids.Add(localId));

            string userId = (social ? "google-oauth2|" : "auth0|") + localId;
            entries[i] = new UserEntry(BuildUser(rnd, i, userId, localId, social, created, upd));
        }

        Array.Sort(entries, UserIndex.CompareByUpdated);
        return (entries, shared);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per user: skip tier-0 code for the loops
    private static string ObjectId(Random rnd, long createdMs, char[] buffer)
    {
        // Like a MongoDB ObjectId: 4 bytes of creation seconds, then 8 random bytes.
        uint seconds = (uint)(createdMs / 1000);
        for (int k = 7; k >= 0; k--)
        {
            buffer[k] = HexDigit((int)(seconds & 0xF));
            seconds >>= 4;
        }

        for (int k = 8; k < 24; k++)
        {
            buffer[k] = HexDigit(rnd.Next(16));
        }

        return new string(buffer);
    }

    private static char HexDigit(int v) => (char)(v < 10 ? '0' + v : 'a' + v - 10);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per user: skip tier-0 code for the loops
    private static string GoogleId(Random rnd)
    {
        Span<char> digits = stackalloc char[21];
        digits[0] = '1';
        for (int k = 1; k < 21; k++)
        {
            digits[k] = (char)('0' + rnd.Next(10));
        }

        return new string(digits);
    }

    public static string RandomAlnum(Random rnd, int length)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return string.Create(length, rnd, (span, r) =>
        {
            for (int k = 0; k < span.Length; k++)
            {
                span[k] = Alphabet[r.Next(Alphabet.Length)];
            }
        });
    }

    internal static string RandomHex(Random rnd, int length) =>
        string.Create(length, rnd, (span, r) =>
        {
            for (int k = 0; k < span.Length; k++)
            {
                span[k] = HexDigit(r.Next(16));
            }
        });

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per user: skip tier-0 code for the loops
    private static UserRecord BuildUser(Random rnd, int i, string userId, string localId, bool social, long createdMs, long updatedMs)
    {
        string first = FirstNames[rnd.Next(FirstNames.Length)];
        string last = LastNames[rnd.Next(LastNames.Length)];
        string slug = (first + "." + last.Replace(" ", string.Empty, StringComparison.Ordinal)).ToLowerInvariant();
        string number = i.ToString(CultureInfo.InvariantCulture);
        int logins = rnd.Next(100) < 10 ? 0 : rnd.Next(1, 500);
        bool phone = !social && rnd.Next(100) < 30;
        bool metadata = rnd.Next(100) < 80;
        return new UserRecord
        {
            UserId = userId,
            LocalId = localId,
            Social = social,
            CreatedTicks = createdMs * TimeSpan.TicksPerMillisecond,
            UpdatedTicks = updatedMs * TimeSpan.TicksPerMillisecond,
            Email = slug + number + (social ? "@gmail.com" : "@example.com"),
            EmailVerified = social || rnd.Next(100) < 80,
            GivenName = first,
            FamilyName = last,
            Nickname = slug,
            Username = social ? null : slug.Replace('.', '_') + number,
            PhoneNumber = phone ? "+1555" + rnd.Next(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture) : null,
            PhoneVerified = phone && rnd.Next(2) == 0,
            Plan = Plans[rnd.Next(Plans.Length)],
            PreferredLanguage = metadata ? Languages[rnd.Next(Languages.Length)] : null,
            Newsletter = metadata && rnd.Next(3) == 0 ? rnd.Next(2) == 0 : null,
            LoginsCount = logins,
            LastLoginTicks = (createdMs + (long)(rnd.NextDouble() * (updatedMs - createdMs))) * TimeSpan.TicksPerMillisecond,
            LastIp = logins > 0 ? (rnd.Next(2) == 0 ? "198.51.100." : "203.0.113.") + rnd.Next(1, 255).ToString(CultureInfo.InvariantCulture) : null,
            Multifactor = rnd.Next(100) < 10,
            Blocked = rnd.Next(100) < 3,
            CustomTier = rnd.Next(100) < 10 ? (rnd.Next(2) == 0 ? "gold" : "silver") : null,
            CustomScore = rnd.Next(1000),
        };
    }

    public static List<JsonObject> GenerateRoles(FakeTenantOptions o)
    {
        var rnd = new Random(unchecked((o.Seed * 7919) + 2));
        var roles = new List<JsonObject>();
        for (int i = 0; i < Math.Max(0, o.Roles); i++)
        {
            var (name, description) = RoleNames[i % RoleNames.Length];
            if (i >= RoleNames.Length)
            {
                name = string.Create(CultureInfo.InvariantCulture, $"{name}-{i / RoleNames.Length}");
            }

            roles.Add(new JsonObject
            {
                ["id"] = "rol_" + RandomAlnum(rnd, 16),
                ["name"] = name,
                ["description"] = description,
            });
        }

        return roles;
    }

    public static List<OrganizationData> GenerateOrganizations(FakeTenantOptions o, UserEntry[] usersById, List<JsonObject> roles)
    {
        var result = new List<OrganizationData>();
        if (!o.OrganizationsFeature)
        {
            return result;
        }

        var rnd = new Random(unchecked((o.Seed * 7919) + 3));
        int count = Math.Max(0, o.Organizations);
        int membersPer = Math.Clamp(o.MembersPerOrganization, 0, usersById.Length);
        int rolesPer = Math.Clamp(o.RolesPerMember, 0, roles.Count);
        for (int i = 0; i < count; i++)
        {
            string word = CompanyWords[i % CompanyWords.Length];
            string name = i < CompanyWords.Length ? word : string.Create(CultureInfo.InvariantCulture, $"{word}-{i / CompanyWords.Length}");
            var metadata = new JsonObject();
            if (i % 3 == 1)
            {
                metadata["tier"] = "enterprise";
                metadata["region"] = "eu";
            }

            var org = new JsonObject
            {
                ["id"] = "org_" + RandomAlnum(rnd, 16),
                ["name"] = name,
                ["display_name"] = char.ToUpperInvariant(name[0]) + name[1..].Replace('-', ' ') + " Inc.",
                ["branding"] = new JsonObject
                {
                    ["logo_url"] = "https://cdn.example.com/logos/" + name + ".png",
                    ["colors"] = new JsonObject
                    {
                        ["primary"] = "#" + RandomHex(rnd, 6).ToUpperInvariant(),
                        ["page_background"] = "#" + RandomHex(rnd, 6).ToUpperInvariant(),
                    },
                },
                ["metadata"] = metadata,
            };

            var picked = new HashSet<int>();
            while (picked.Count < membersPer)
            {
                picked.Add(rnd.Next(usersById.Length));
            }

            var members = new List<MemberData>(membersPer);
            foreach (int idx in picked.Order())
            {
                var user = usersById[idx].Record;
                var member = new JsonObject
                {
                    ["user_id"] = user.UserId,
                    ["email"] = user.Email,
                    ["picture"] = user.Picture,
                    ["name"] = user.Name,
                };
                if (o.MembersCarryNewField)
                {
                    member["joined_at"] = "2024-05-01T10:00:00.000Z";
                }

                var roleIdx = new HashSet<int>();
                while (roleIdx.Count < rolesPer)
                {
                    roleIdx.Add(rnd.Next(roles.Count));
                }

                members.Add(new MemberData(usersById[idx].Id, member, [.. roleIdx.Order().Select(r => roles[r])]));
            }

            result.Add(new OrganizationData(org, [.. members]));
        }

        return result;
    }

    public static List<JsonObject> GenerateClients(FakeTenantOptions o)
    {
        var rnd = new Random(unchecked((o.Seed * 7919) + 4));
        var clients = new List<JsonObject>();
        for (int i = 0; i < Math.Max(0, o.Clients); i++)
        {
            bool self = i == 0;
            string appType = self ? "non_interactive" : AppTypes[i % AppTypes.Length];
            string name = self ? "Airbyte connector (M2M)" : string.Create(CultureInfo.InvariantCulture, $"App {i} ({appType})");
            string site = string.Create(CultureInfo.InvariantCulture, $"https://app{i}.example.com");
            bool interactive = appType != "non_interactive";
            var grantTypes = appType switch
            {
                "non_interactive" => new JsonArray("client_credentials"),
                "spa" => new JsonArray("authorization_code", "implicit", "refresh_token"),
                _ => new JsonArray("authorization_code", "implicit", "refresh_token", "client_credentials"),
            };

            clients.Add(new JsonObject
            {
                ["tenant"] = o.TenantName,
                ["global"] = false,
                ["is_token_endpoint_ip_header_trusted"] = false,
                ["name"] = name,
                ["description"] = self ? "Reads users, clients and organizations for Airbyte" : "Generated application",
                ["client_id"] = self ? o.ClientId : RandomAlnum(rnd, 32),
                ["client_secret"] = self ? o.ClientSecret : RandomAlnum(rnd, 64),
                ["app_type"] = appType,
                ["logo_uri"] = interactive ? site + "/logo.png" : null,
                ["is_first_party"] = true,
                ["oidc_conformant"] = true,
                ["callbacks"] = interactive ? new JsonArray(site + "/callback") : new JsonArray(),
                ["allowed_origins"] = interactive ? new JsonArray(site) : new JsonArray(),
                ["web_origins"] = appType == "spa" ? new JsonArray(site) : new JsonArray(),
                ["allowed_logout_urls"] = interactive ? new JsonArray(site + "/logout") : new JsonArray(),
                ["grant_types"] = grantTypes,
                ["jwt_configuration"] = new JsonObject
                {
                    ["alg"] = "RS256",
                    ["lifetime_in_seconds"] = 36000,
                    ["secret_encoded"] = false,
                },
                ["signing_keys"] = new JsonArray(new JsonObject
                {
                    ["cert"] = "-----BEGIN CERTIFICATE-----\r\nMIIDDTCCAfWgAwIBAgIJ" + RandomAlnum(rnd, 40) + "\r\n-----END CERTIFICATE-----\r\n",
                    ["pkcs7"] = "-----BEGIN PKCS7-----\r\nMIIDPQYJKoZIhvcNAQcC" + RandomAlnum(rnd, 40) + "\r\n-----END PKCS7-----\r\n",
                    ["subject"] = "deprecated",
                }),
                ["sso"] = false,
                ["sso_disabled"] = false,
                ["cross_origin_auth"] = false,
                ["custom_login_page_on"] = true,
                ["token_endpoint_auth_method"] = appType == "spa" || appType == "native" ? "none" : "client_secret_post",
                ["client_metadata"] = self ? new JsonObject { ["owner"] = "data-platform" } : new JsonObject(),
                ["refresh_token"] = new JsonObject
                {
                    ["expiration_type"] = "non-expiring",
                    ["leeway"] = 0,
                    ["infinite_token_lifetime"] = true,
                    ["infinite_idle_token_lifetime"] = true,
                    ["token_lifetime"] = 2592000,
                    ["idle_token_lifetime"] = 1296000,
                    ["rotation_type"] = "non-rotating",
                },
                ["organization_usage"] = appType == "regular_web" ? "allow" : "deny",
                ["organization_require_behavior"] = "no_prompt",
                ["initiate_login_uri"] = interactive ? site + "/login" : null,
                ["callback_url_template"] = false,
            });

            if (i % 2 == 1)
            {
                // An attribute the connector's schema does not know: it must pass through untouched.
                clients[^1]["custom_field_x"] = new JsonObject { ["team"] = "growth", ["cost_center"] = 4200 + i };
            }
        }

        return clients;
    }
}
