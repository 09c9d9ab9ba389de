using System.Globalization;
using System.Text.Json.Nodes;

namespace Auth0Connector.FakeTenant;

/// <summary>One tenant log event: its 56-digit <c>log_id</c>, its <c>date</c> (UTC ticks) and the record as served.</summary>
internal sealed record LogEvent(string Id, long DateTicks, JsonObject Json);

/// <summary>
/// The tenant's log events (docs/auth0-endpoints.md §2.1), deterministic from the seed. A <c>log_id</c> is
/// <c>900</c> + the ingestion time (<c>yyyyMMddHHmmssfff</c>) + 36 digits ending in a sequence number, so ids
/// of equal length sort like ingestion; the event's <c>date</c> is up to 2.5 s before its ingestion, so date order
/// differs slightly from id order, as on the wire. Events older than the retention window are gone.
/// </summary>
internal sealed class LogData
{
    private static readonly (string Type, string Description)[] Kinds =
    [
        ("s", "Success Login"),
        ("f", "Wrong email or password."),
        ("seccft", "Client Credentials for Access Token"),
        ("sapi", "Update a user"),
        ("ss", "Successful signup"),
        ("slo", "User successfully logged out."),
        ("fn", "Failed to send email notification"),
    ];

    private static readonly string[] Agents =
    [
        "Chrome 126.0.0 / Mac OS X 10.15.7",
        "Firefox 127.0.0 / Windows 10.0.0",
        "Safari 17.5.0 / iOS 17.5.1",
        "Other 0.0.0 / Other 0.0.0",
    ];

    private static readonly (string Code, string Code3, string Country, string City, double Lat, double Lon, string Zone, string Continent)[] Places =
    [
        ("US", "USA", "United States", "Seattle", 47.6062, -122.3321, "America/Los_Angeles", "NA"),
        ("DE", "DEU", "Germany", "Berlin", 52.52, 13.405, "Europe/Berlin", "EU"),
        ("JP", "JPN", "Japan", "Tokyo", 35.6762, 139.6503, "Asia/Tokyo", "AS"),
        ("BR", "BRA", "Brazil", "São Paulo", -23.5505, -46.6333, "America/Sao_Paulo", "SA"),
    ];

    private readonly FakeTenantOptions _options;
    private readonly Random _rnd;
    private long _lastIngestMs;
    private int _sequence;

    public LogData(FakeTenantOptions options)
    {
        _options = options;
        _rnd = new Random(unchecked((options.Seed * 7919) + 13));
        int n = Math.Max(0, options.Logs);
        // The seeded events end at LogsNewest, about 30 s apart on average.
        _lastIngestMs = (options.LogsNewest.UtcTicks / TimeSpan.TicksPerMillisecond) - (n * 30_000L);
        Events = Prune([.. Seed(n, Math.Clamp(options.LoggedDeletions, 0, n / 2))], long.MinValue);
    }

    /// <summary>The retained events, ascending by <c>log_id</c> (replaced, never mutated).</summary>
    public LogEvent[] Events { get; private set; }

    /// <summary>Appends <paramref name="count"/> events, the first <paramref name="after"/> past the newest one.</summary>
    public LogEvent[] Append(int count, TimeSpan after)
    {
        var added = Next(count, after).ToArray();
        Events = Prune([.. Events, .. added], long.MinValue);
        return added;
    }

    /// <summary>
    /// Appends one event of <paramref name="type"/> ingested 0.2 to 1 s after the newest and dated a few milliseconds
    /// before its ingestion; <paramref name="fill"/> sets what this kind of event carries. Returns it.
    /// </summary>
    public LogEvent AppendEvent(string type, string? description, Action<JsonObject> fill)
    {
        _lastIngestMs += 200 + _rnd.Next(800);
        if (_options.LiveLog)
        {
            _lastIngestMs = Math.Max(_lastIngestMs, _options.Time.GetUtcNow().UtcTicks / TimeSpan.TicksPerMillisecond);
        }

        var added = Build(_lastIngestMs, _lastIngestMs - _rnd.Next(50), ++_sequence, (type, description));
        fill(added.Json);
        Events = Prune([.. Events, added], long.MinValue);
        return added;
    }

    /// <summary>Ages out every event dated before <paramref name="cutoff"/>; returns how many went.</summary>
    public int ExpireBefore(DateTimeOffset cutoff)
    {
        int before = Events.Length;
        Events = Prune(Events, cutoff.UtcTicks);
        return before - Events.Length;
    }

    /// <summary>Keeps the events dated at or after <paramref name="cutoffTicks"/> and within the retention window of the newest.</summary>
    private LogEvent[] Prune(LogEvent[] events, long cutoffTicks)
    {
        if (events.Length == 0)
        {
            return events;
        }

        long newest = events.Max(e => e.DateTicks);
        long window = newest - Math.Min(newest, _options.LogRetention.Ticks);
        long keepFrom = Math.Max(cutoffTicks, window);
        return Array.FindAll(events, e => e.DateTicks >= keepFrom);
    }

    /// <summary>
    /// The seeded events: <paramref name="count"/> in all, of which <paramref name="deletions"/> pairs, spread evenly,
    /// record users deleted through the Management API (<c>sdu</c>, then the <c>sapi</c> "Delete a user") whose ids
    /// the tenant no longer has.
    /// </summary>
    private IEnumerable<LogEvent> Seed(int count, int deletions)
    {
        var pairs = Enumerable.Range(1, deletions).Select(k => (k * count / (deletions + 1)) & ~1).ToHashSet();
        for (int i = 0; i < count; i++)
        {
            if (pairs.Contains(i) && i + 1 < count)
            {
                string userId = "auth0|" + TenantData.RandomHex(_rnd, 24);
                _lastIngestMs += 200 + _rnd.NextInt64(59_800);
                var deleted = Build(_lastIngestMs, _lastIngestMs - _rnd.Next(50), ++_sequence, DeletionKinds.Deleted);
                DeletionEvents.Deleted(deleted.Json, userId, userId[6..] + "@example.com");
                _lastIngestMs += 1 + _rnd.Next(40);
                var api = Build(_lastIngestMs, _lastIngestMs - _rnd.Next(20), ++_sequence, DeletionKinds.Api("Delete a user"));
                DeletionEvents.ApiOperation(api.Json, "delete", "/api/v2/users/" + Uri.EscapeDataString(userId), 204);
                yield return deleted;
                yield return api;
                i++;
                continue;
            }

            foreach (var e in Next(1, TimeSpan.Zero))
            {
                yield return e;
            }
        }
    }

    private IEnumerable<LogEvent> Next(int count, TimeSpan after)
    {
        long gapMs = (long)after.TotalMilliseconds;
        for (int i = 0; i < count; i++)
        {
            // Ingestion strictly increases (so do the ids); gaps of 0.2 to 60 s.
            _lastIngestMs += Math.Max(1, (i == 0 ? gapMs : 0) + 200 + _rnd.NextInt64(59_800));
            long dateMs = _lastIngestMs - _rnd.Next(2_500);
            yield return Build(_lastIngestMs, dateMs, ++_sequence);
        }
    }

    private LogEvent Build(long ingestMs, long dateMs, int sequence, (string Type, string? Description)? kind = null)
    {
        var ingest = new DateTime(ingestMs * TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
        string id = string.Create(CultureInfo.InvariantCulture, $"900{ingest:yyyyMMddHHmmssfff}{_rnd.Next(1000):D3}000000000000001223372036{sequence:D9}");
        long dateTicks = dateMs * TimeSpan.TicksPerMillisecond;
        var (type, description) = kind ?? Kinds[_rnd.Next(Kinds.Length)];
        int user = _rnd.Next(10_000);
        bool machine = type is "seccft" or "sapi" or "fapi";
        var json = new JsonObject
        {
            ["_id"] = id,
            ["log_id"] = id,
            ["date"] = TenantData.FormatTimestamp(dateTicks),
            ["type"] = type,
            ["description"] = type == "s" ? null : description,
            ["connection"] = machine ? null : "Username-Password-Authentication",
            ["connection_id"] = machine ? string.Empty : "con_RM2Tx4kqsiaBfHkh",
            ["client_id"] = "naTYqLk2C8sPNPZ8SIdTb1y4Y2qpnkDn",
            ["client_name"] = machine ? "Reporting API" : "CDT Testing",
            ["ip"] = string.Create(CultureInfo.InvariantCulture, $"203.0.113.{_rnd.Next(1, 255)}"),
            ["hostname"] = _rnd.Next(3) == 0 ? null : _options.TenantName + ".eu.auth0.com",
            ["user_id"] = machine ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"auth0|6479cb39{user:D8}"),
            ["user_name"] = machine ? null : string.Create(CultureInfo.InvariantCulture, $"test-user{user}@example.com"),
            ["audience"] = machine ? "https://" + _options.TenantName + ".eu.auth0.com/api/v2/" : null,
            // Auth0 sends scope as a string or as an array of strings (go-auth0 Log.UnmarshalJSON).
            ["scope"] = !machine ? null : _rnd.Next(2) == 0 ? "read:users read:logs" : new JsonArray("read:users", "read:logs"),
            ["strategy"] = machine ? null : "auth0",
            ["strategy_type"] = machine ? null : "database",
            ["isMobile"] = _rnd.Next(5) == 0,
            ["user_agent"] = Agents[_rnd.Next(Agents.Length)],
            ["details"] = Details(type),
            ["location_info"] = machine ? null : Location(),
            ["organization_id"] = _rnd.Next(4) == 0 ? "org_" + id[^8..] : null,
            ["organization_name"] = null,
            ["tenant_name"] = _options.TenantName,
        };
        if (json["organization_id"] is not null)
        {
            json["organization_name"] = "acme-" + id[^4..];
        }

        if (_rnd.Next(3) == 0)
        {
            // Newer events carry fields no schema or SDK lists yet; they must pass through unchanged.
            json["$event_schema"] = new JsonObject { ["version"] = "1.0.0" };
        }

        return new LogEvent(id, dateTicks, json);
    }

    private JsonObject Details(string type) => type switch
    {
        "sapi" => new JsonObject
        {
            ["request"] = new JsonObject { ["method"] = "patch", ["path"] = "/api/v2/users/auth0%7C6479cb39", ["body"] = new JsonObject { ["blocked"] = false } },
            ["response"] = new JsonObject { ["statusCode"] = 200 },
        },
        "f" => new JsonObject { ["error"] = new JsonObject { ["message"] = "Wrong email or password.", ["oauthError"] = "invalid_grant" } },
        _ => new JsonObject { ["prompts"] = new JsonArray(), ["elapsedTime"] = _rnd.Next(20, 900) },
    };

    private JsonObject Location()
    {
        var p = Places[_rnd.Next(Places.Length)];
        return new JsonObject
        {
            ["country_code"] = p.Code,
            ["country_code3"] = p.Code3,
            ["country_name"] = p.Country,
            ["city_name"] = p.City,
            ["latitude"] = p.Lat,
            ["longitude"] = p.Lon,
            ["time_zone"] = p.Zone,
            ["continent_code"] = p.Continent,
        };
    }
}
