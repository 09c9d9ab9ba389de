using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using WireMock;

namespace Auth0Connector.FakeTenant;

/// <summary>
/// The tenant's configuration endpoints (docs/auth0-endpoints.md §2.5, §2.7–2.12): connections and client grants
/// (offset and checkpoint paging, <c>take</c> wins), actions (always <c>{actions,total,per_page}</c>), log streams and
/// signing keys (bare arrays), daily stats (<c>from</c>/<c>to</c> days, sparse, today's row changing) and the
/// tenant's settings (one object).
/// </summary>
public sealed partial class FakeTenant
{
    private const int ActionsDefaultPerPage = 20;

    private const string StatsDayPattern = "yyyyMMdd";

    private readonly Lock _tenantObjectsGate = new();
    private TenantObjects? _tenantObjects;

    /// <summary>The connections as served, secrets in <c>options</c> included (Auth0 returns them).</summary>
    public IReadOnlyList<JsonObject> Connections => Objects.Connections;

    /// <summary>The client grants as served.</summary>
    public IReadOnlyList<JsonObject> ClientGrants => Objects.ClientGrants;

    /// <summary>The actions as served.</summary>
    public IReadOnlyList<JsonObject> Actions => Objects.Actions;

    /// <summary>The log streams as served, their sinks' credentials included.</summary>
    public IReadOnlyList<JsonObject> LogStreams => Objects.LogStreams;

    /// <summary>The tenant's settings as served (one object).</summary>
    public JsonObject TenantSettings => Objects.Settings;

    /// <summary>The signing keys as served (previous, current, next).</summary>
    public IReadOnlyList<JsonObject> SigningKeys => Objects.SigningKeys;

    /// <summary>A snapshot of the daily stats rows, ascending by day (days without activity have none).</summary>
    public IReadOnlyList<JsonObject> DailyStats
    {
        get
        {
            var objects = Objects;
            lock (objects.StatsGate)
            {
                return [.. objects.Stats.Values];
            }
        }
    }

    private TenantObjects Objects
    {
        get
        {
            if (Volatile.Read(ref _tenantObjects) is { } objects)
            {
                return objects;
            }

            lock (_tenantObjectsGate)
            {
                return _tenantObjects ??= new TenantObjects(Options, _clients);
            }
        }
    }

    /// <summary>
    /// Activity on <paramref name="day"/> (today's row keeps changing): adds logins and signups to its row, or creates
    /// the row, and stamps it <c>updated_at</c> = now (<see cref="FakeTenantOptions.Time"/>). The row is replaced, not mutated.
    /// </summary>
    public void RecordDailyActivity(DateOnly day, int logins, int signups = 0)
    {
        var objects = Objects;
        var now = Options.Time.GetUtcNow().UtcDateTime;
        lock (objects.StatsGate)
        {
            var created = now;
            if (objects.Stats.TryGetValue(day, out var row))
            {
                created = DateTime.Parse((string)row["created_at"]!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
                logins += (int)row["logins"]!;
                signups += (int)row["signups"]!;
            }

            objects.Stats[day] = TenantInfoData.StatsRow(day, created, now, logins, signups, leaked: 0, withSignupLeaks: true);
        }
    }

    private ResponseMessage GetConnections(ApiCall call) =>
        PagedBothWays(call, "read:connections", "connections", "con", Filtered(call, Objects.Connections, "strategy", "name"));

    private ResponseMessage GetClientGrants(ApiCall call) =>
        PagedBothWays(call, "read:client_grants", "client_grants", "cgr", Filtered(call, Objects.ClientGrants, "audience", "client_id", "subject_type"));

    /// <summary>A listing paged by offset (1000-result cap) or, when <c>take</c> or <c>from</c> is sent, by checkpoint.</summary>
    private ResponseMessage PagedBothWays(ApiCall call, string scope, string key, string kind, List<JsonObject> items)
    {
        if (!RequireScope(call, out var error, scope))
        {
            return error;
        }

        var projection = Projection.From(call.Query);
        void Write(Utf8JsonWriter w, JsonObject o) => Http.WriteProjected(w, o, projection);
        return IsCheckpoint(call)
            ? Checkpoint(call, key, kind, items.Count, i => items[i], Write, nextOnShortLastPage: false)
            : Offset(call, key, OrganizationsCapMessage, items.Count, i => items[i], Write, withLength: false);
    }

    /// <summary>The items whose string <paramref name="filters"/> equal the query's values (absent filters keep all).</summary>
    private static List<JsonObject> Filtered(ApiCall call, IReadOnlyList<JsonObject> items, params string[] filters)
    {
        var active = filters.Where(call.Query.ContainsKey).ToArray();
        return [.. items.Where(o => active.All(f => o[f] is JsonValue v && v.TryGetValue(out string? s) && s == call.Query[f]))];
    }

    /// <summary><c>page</c>/<c>per_page</c> (default 20, at most <see cref="FakeTenantOptions.ActionsMaxPerPage"/>), always the envelope.</summary>
    private ResponseMessage GetActions(ApiCall call)
    {
        if (!RequireScope(call, out var error, "read:actions")
            || !RequireDeclaredParameters(call, out error, "per_page", "page", "triggerId", "actionName", "deployed", "installed"))
        {
            return error;
        }

        if (!TryQueryInt(call, "per_page", ActionsDefaultPerPage, 1, Options.ActionsMaxPerPage, "The maximum number of results to be returned by the server in single response. 20 by default", out int perPage, out error)
            || !TryQueryInt(call, "page", 0, 0, int.MaxValue, "Use this field to request a specific page of the list results.", out int page, out error))
        {
            return error;
        }

        var actions = Objects.Actions;
        int served = Served(perPage);
        int start = (int)Math.Min((long)page * served, actions.Count);
        int count = Math.Clamp(actions.Count - start, 0, served);
        return call.Reply(200, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("actions");
            for (int i = start; i < start + count; i++)
            {
                actions[i].WriteTo(w);
            }

            w.WriteEndArray();
            w.WriteNumber("total", Reported(actions.Count));
            w.WriteNumber("per_page", perPage);
            w.WriteEndObject();
        });
    }

    private static bool TryQueryInt(ApiCall call, string name, int fallback, int min, int max, string description, out int value, out ResponseMessage error)
    {
        error = null!;
        value = fallback;
        if (!call.Query.TryGetValue(name, out var raw))
        {
            return true;
        }

        string? problem = !int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) ? "Expected type integer but found type string"
            : value > max ? string.Create(CultureInfo.InvariantCulture, $"Too big: must be at most {max}")
            : value < min ? string.Create(CultureInfo.InvariantCulture, $"Too small: must be at least {min}")
            : null;
        if (problem is not null)
        {
            error = call.Reply(400, Http.BadRequest($"Query validation error: '{problem}' on property {name} ({description})."));
        }

        return problem is null;
    }

    private ResponseMessage GetLogStreams(ApiCall call) =>
        RequireScope(call, out var error, "read:log_streams") ? BareArray(call, Objects.LogStreams) : error;

    private ResponseMessage GetSigningKeys(ApiCall call) =>
        RequireScope(call, out var error, "read:signing_keys") ? BareArray(call, Objects.SigningKeys) : error;

    private static ResponseMessage BareArray(ApiCall call, IReadOnlyList<JsonObject> items) =>
        call.Reply(200, w =>
        {
            w.WriteStartArray();
            foreach (var item in items)
            {
                item.WriteTo(w);
            }

            w.WriteEndArray();
        });

    private ResponseMessage GetTenantSettings(ApiCall call)
    {
        if (!RequireScope(call, out var error, "read:tenant_settings"))
        {
            return error;
        }

        var projection = Projection.From(call.Query);
        return call.Reply(200, w => Http.WriteProjected(w, Objects.Settings, projection));
    }

    /// <summary>The rows of the days from <c>from</c> to <c>to</c> (YYYYMMDD, both inclusive, both optional), ascending.</summary>
    private ResponseMessage GetDailyStats(ApiCall call)
    {
        if (!RequireScope(call, out var error, "read:stats"))
        {
            return error;
        }

        if (!TryStatsDay(call, "from", "first", out var from, out error) || !TryStatsDay(call, "to", "last", out var to, out error))
        {
            return error;
        }

        var rows = DailyStats.Where(r => DayOf(r) is var day && (from is null || day >= from) && (to is null || day <= to)).ToList();
        return BareArray(call, rows);
    }

    private static DateOnly DayOf(JsonObject row) => DateOnly.ParseExact(((string)row["date"]!)[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static bool TryStatsDay(ApiCall call, string name, string which, out DateOnly? day, out ResponseMessage error)
    {
        day = null;
        error = null!;
        if (!call.Query.TryGetValue(name, out var raw) || raw.Length == 0)
        {
            return true;
        }

        if (raw.Length != 8 || !raw.All(char.IsAsciiDigit))
        {
            error = call.Reply(400, Http.BadRequest($"Query validation error: 'String does not match pattern ^\\d{{8}}$' on property {name} (Optional {which} day of the date range (inclusive) in YYYYMMDD format)."));
            return false;
        }

        if (!DateOnly.TryParseExact(raw, StatsDayPattern, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            error = call.Reply(400, Http.BadRequest($"Invalid request query. '{raw}' is not a valid date."));
            return false;
        }

        day = parsed;
        return true;
    }

    /// <summary>The configuration objects, generated on first use (deterministic from the seed; stats end today).</summary>
    private sealed class TenantObjects(FakeTenantOptions options, IReadOnlyList<JsonObject> clients)
    {
        public List<JsonObject> Connections { get; } = TenantConfigData.GenerateConnections(options);

        public List<JsonObject> ClientGrants { get; } = TenantConfigData.GenerateClientGrants(options, clients);

        public List<JsonObject> Actions { get; } = TenantConfigData.GenerateActions(options);

        public List<JsonObject> LogStreams { get; } = TenantInfoData.GenerateLogStreams(options);

        public JsonObject Settings { get; } = TenantInfoData.GenerateTenantSettings(options);

        public List<JsonObject> SigningKeys { get; } = TenantInfoData.GenerateSigningKeys(options);

        public Lock StatsGate { get; } = new();

        /// <summary>Guarded by <see cref="StatsGate"/>; rows are replaced, never mutated.</summary>
        public SortedDictionary<DateOnly, JsonObject> Stats { get; } = TenantInfoData.GenerateDailyStats(options, options.Time.GetUtcNow());
    }
}
