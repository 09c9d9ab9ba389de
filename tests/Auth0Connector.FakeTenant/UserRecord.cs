using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Auth0Connector.FakeTenant;

/// <summary>
/// A user kept compact (100,000 of them must seed in well under 2 s, far too slow with one JsonObject tree each).
/// The API writes it straight to JSON with <see cref="Write"/>; <see cref="UserEntry.Json"/> parses that same output,
/// so the JSON a test reads is exactly what is served.
/// </summary>
internal sealed record UserRecord
{
    public required string UserId { get; init; }

    public required string LocalId { get; init; }

    public required bool Social { get; init; }

    public required long CreatedTicks { get; init; }

    public required long UpdatedTicks { get; init; }

    public required string Email { get; init; }

    public required bool EmailVerified { get; init; }

    public required string GivenName { get; init; }

    public required string FamilyName { get; init; }

    public required string Nickname { get; init; }

    public string? Username { get; init; }

    public string? PhoneNumber { get; init; }

    public bool PhoneVerified { get; init; }

    public required string Plan { get; init; }

    /// <summary>Null: no user_metadata at all.</summary>
    public string? PreferredLanguage { get; init; }

    public bool? Newsletter { get; init; }

    public int LoginsCount { get; init; }

    public long LastLoginTicks { get; init; }

    public string? LastIp { get; init; }

    public bool Multifactor { get; init; }

    public bool Blocked { get; init; }

    /// <summary>Null: no custom_field_x.</summary>
    public string? CustomTier { get; init; }

    public int CustomScore { get; init; }

    public string Name => GivenName + " " + FamilyName;

    /// <summary>Gravatar-style: the MD5 of the email, then Auth0's initials fallback.</summary>
    public string Picture =>
        $"https://s.gravatar.com/avatar/{Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(Email)))}?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2F{char.ToLowerInvariant(GivenName[0])}{char.ToLowerInvariant(FamilyName[0])}.png";

    /// <summary>Sort key for <c>sort=field:1</c> on the fields Auth0 lets one sort users by; null for other fields.</summary>
    public static Func<UserRecord, IComparable?>? SortKey(string field) => field switch
    {
        "user_id" => u => u.UserId,
        "updated_at" => u => u.UpdatedTicks,
        "created_at" => u => u.CreatedTicks,
        "last_login" => u => u.LoginsCount > 0 ? u.LastLoginTicks : null,
        "email" => u => u.Email,
        "name" => u => u.Name,
        "nickname" => u => u.Nickname,
        "username" => u => u.Username,
        "given_name" => u => u.GivenName,
        "family_name" => u => u.FamilyName,
        "logins_count" => u => u.LoginsCount,
        _ => null,
    };

    public void Write(Utf8JsonWriter w, Projection p)
    {
        w.WriteStartObject();
        if (p.Includes("created_at"))
        {
            WriteTimestamp(w, "created_at", CreatedTicks);
        }

        if (p.Includes("email"))
        {
            w.WriteString("email", Email);
        }

        if (p.Includes("email_verified"))
        {
            w.WriteBoolean("email_verified", EmailVerified);
        }

        if (p.Includes("family_name"))
        {
            w.WriteString("family_name", FamilyName);
        }

        if (p.Includes("given_name"))
        {
            w.WriteString("given_name", GivenName);
        }

        if (p.Includes("identities"))
        {
            w.WriteStartArray("identities");
            w.WriteStartObject();
            w.WriteString("connection", Social ? "google-oauth2" : "Username-Password-Authentication");
            w.WriteString("user_id", LocalId);
            w.WriteString("provider", Social ? "google-oauth2" : "auth0");
            w.WriteBoolean("isSocial", Social);
            w.WriteEndObject();
            w.WriteEndArray();
        }

        if (p.Includes("name"))
        {
            w.WriteString("name", Name);
        }

        if (p.Includes("nickname"))
        {
            w.WriteString("nickname", Nickname);
        }

        if (p.Includes("picture"))
        {
            w.WriteString("picture", Picture);
        }

        if (p.Includes("updated_at"))
        {
            WriteTimestamp(w, "updated_at", UpdatedTicks);
        }

        if (p.Includes("user_id"))
        {
            w.WriteString("user_id", UserId);
        }

        if (Username is not null && p.Includes("username"))
        {
            w.WriteString("username", Username);
        }

        if (PhoneNumber is not null)
        {
            if (p.Includes("phone_number"))
            {
                w.WriteString("phone_number", PhoneNumber);
            }

            if (p.Includes("phone_verified"))
            {
                w.WriteBoolean("phone_verified", PhoneVerified);
            }
        }

        if (p.Includes("app_metadata"))
        {
            w.WriteStartObject("app_metadata");
            w.WriteString("plan", Plan);
            w.WriteEndObject();
        }

        if (PreferredLanguage is not null && p.Includes("user_metadata"))
        {
            w.WriteStartObject("user_metadata");
            w.WriteString("preferred_language", PreferredLanguage);
            if (Newsletter is bool newsletter)
            {
                w.WriteBoolean("newsletter", newsletter);
            }

            w.WriteEndObject();
        }

        if (LoginsCount > 0)
        {
            if (p.Includes("last_ip") && LastIp is not null)
            {
                w.WriteString("last_ip", LastIp);
            }

            if (p.Includes("last_login"))
            {
                WriteTimestamp(w, "last_login", LastLoginTicks);
            }
        }

        if (p.Includes("logins_count"))
        {
            w.WriteNumber("logins_count", LoginsCount);
        }

        if (Multifactor && p.Includes("multifactor"))
        {
            w.WriteStartArray("multifactor");
            w.WriteStringValue("guardian");
            w.WriteEndArray();
        }

        if (Blocked && p.Includes("blocked"))
        {
            w.WriteBoolean("blocked", true);
        }

        if (CustomTier is not null && p.Includes("custom_field_x"))
        {
            // An attribute the connector's schema does not know: it must pass through untouched.
            w.WriteStartObject("custom_field_x");
            w.WriteString("tier", CustomTier);
            w.WriteNumber("score", CustomScore);
            w.WriteStartArray("tags");
            w.WriteStringValue("beta");
            w.WriteStringValue("imported");
            w.WriteEndArray();
            w.WriteStartObject("nested");
            w.WriteBoolean("flag", true);
            w.WriteNull("note");
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    public JsonObject ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, Http.WriterOptions))
        {
            Write(writer, Projection.All);
        }

        return JsonNode.Parse(buffer.WrittenSpan)!.AsObject();
    }

    private static void WriteTimestamp(Utf8JsonWriter w, string name, long ticks)
    {
        Span<char> chars = stackalloc char[24];
        new DateTime(ticks, DateTimeKind.Utc).TryFormat(chars, out int n, TenantData.TimestampFormat, CultureInfo.InvariantCulture);
        w.WriteString(name, chars[..n]);
    }
}

/// <summary>Lazily materialized JSON view of users (each record parsed on first access, then cached).</summary>
internal sealed class UserJsonList(UserEntry[] entries) : IReadOnlyList<JsonObject>
{
    public int Count => entries.Length;

    public JsonObject this[int index] => entries[index].Json;

    public IEnumerator<JsonObject> GetEnumerator()
    {
        foreach (var e in entries)
        {
            yield return e.Json;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
