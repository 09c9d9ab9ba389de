using System.Globalization;

namespace Auth0Connector.FakeTenant;

/// <summary>One token bucket of a plan: its burst (capacity) and sustained refill.</summary>
public sealed record PlanBucket(string Name, int Burst, double RefillPerSecond);

/// <summary>
/// How a tenant's Management API is rate limited, as Auth0's "rate limit configurations" per subscription plan
/// describe it: which bucket answers each request, and each bucket's burst and refill. Free and Enterprise
/// production tenants have one global bucket; Essentials and Professional one bucket per endpoint group plus one
/// for all other endpoints combined. Every response's <c>x-ratelimit-*</c> headers describe the bucket that served
/// it (whole tokens remaining, reset in whole epoch seconds, see <see cref="RateLimiter"/>).
/// </summary>
/// <remarks>
/// This is the fake tenant's own model of Auth0, written from Auth0's published tables (see
/// <c>docs/rate-limits.md</c>), deliberately separate from the connector's bucket map: a test of the connector
/// against a copy of its own assumptions would prove nothing.
/// </remarks>
public sealed class RateLimitPlan
{
    /// <summary>The endpoint groups of the per-group plans (Essentials, Professional), by the request they serve.</summary>
    public const string ReadUsers = "read_users";
    public const string ReadLogs = "read_logs";
    public const string ReadOrganizations = "read_organizations";
    public const string ReadOrganizationById = "read_organization_by_id";
    public const string ReadOrganizationMembers = "read_organization_members";
    public const string ReadOrganizationMemberRoles = "read_organization_member_roles";
    public const string ReadOrganizationConnections = "read_organization_connections";
    public const string ReadClients = "read_clients";
    public const string ReadConnections = "read_connections";
    public const string Other = "other";

    private const string Global = "global";

    private readonly Dictionary<string, PlanBucket> _buckets;

    private RateLimitPlan(string name, bool perGroup, IEnumerable<PlanBucket> buckets)
    {
        Name = name;
        PerGroup = perGroup;
        _buckets = buckets.ToDictionary(b => b.Name, StringComparer.Ordinal);
    }

    public string Name { get; }

    /// <summary>True: one bucket per endpoint group; false: one global bucket.</summary>
    public bool PerGroup { get; }

    public IReadOnlyCollection<PlanBucket> Buckets => _buckets.Values;

    /// <summary>Free: one bucket, 2 requests per second, a burst of 2 (the plan table's figure).</summary>
    public static RateLimitPlan Free { get; } = Single("free", 2, 2);

    /// <summary>Enterprise production: one global bucket, 50 burst, 16 per second.</summary>
    public static RateLimitPlan Enterprise { get; } = Single("enterprise", 50, 16);

    /// <summary>Essentials: Auth0's per-group table (burst / sustained per minute).</summary>
    public static RateLimitPlan Essentials { get; } = new("essentials", perGroup: true,
    [
        PerMinute(ReadUsers, 40, 500),
        PerMinute(ReadLogs, 10, 100),
        PerMinute(ReadOrganizations, 5, 50),
        PerMinute(ReadOrganizationById, 20, 200),
        PerMinute(ReadOrganizationMembers, 40, 500),
        PerMinute(ReadOrganizationMemberRoles, 20, 200),
        PerMinute(ReadOrganizationConnections, 5, 50),
        PerMinute(ReadClients, 5, 100),
        PerMinute(ReadConnections, 5, 50),
        PerMinute(Other, 10, 150),
    ]);

    /// <summary>One global bucket of <paramref name="burst"/> requests refilled at <paramref name="refillPerSecond"/>.</summary>
    public static RateLimitPlan Single(string name, int burst, double refillPerSecond) =>
        new(name, perGroup: false, [new PlanBucket(Global, burst, refillPerSecond)]);

    /// <summary><c>free</c>, <c>essentials</c>, <c>enterprise</c>, or <c>BURST/REFILL</c> (one global bucket, e.g. <c>10/10</c>).</summary>
    public static RateLimitPlan Parse(string text)
    {
        switch (text)
        {
            case "free": return Free;
            case "essentials": return Essentials;
            case "enterprise": return Enterprise;
        }

        var parts = text.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var burst) && burst > 0
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var refill) && refill > 0)
        {
            return Single(text, burst, refill);
        }

        throw new ArgumentException($"unknown rate-limit plan '{text}' (free, essentials, enterprise or BURST/REFILL)");
    }

    /// <summary>The bucket that answers <paramref name="method"/> <paramref name="path"/> (a path under <c>/api/v2/</c>, no query).</summary>
    public PlanBucket BucketOf(string method, string path) =>
        _buckets[PerGroup ? GroupOf(method, path) : Global];

    /// <summary>Auth0's endpoint group of a request, as its plan table names them.</summary>
    public static string GroupOf(string method, string path)
    {
        if (!string.Equals(method, "GET", StringComparison.OrdinalIgnoreCase))
        {
            return Other;
        }

        var s = path.Trim('/').Split('/');
        return s switch
        {
            ["users"] or ["users", _] => ReadUsers,
            ["logs"] or ["logs", _] => ReadLogs,
            ["organizations"] => ReadOrganizations,
            ["organizations", _] or ["organizations", "name", _] => ReadOrganizationById,
            ["organizations", _, "members"] => ReadOrganizationMembers,
            ["organizations", _, "members", _, "roles"] => ReadOrganizationMemberRoles,
            ["organizations", _, "enabled_connections"] or ["organizations", _, "enabled_connections", _] => ReadOrganizationConnections,
            ["clients"] or ["clients", _] => ReadClients,
            ["connections"] or ["connections", _] => ReadConnections,
            _ => Other,
        };
    }

    private static PlanBucket PerMinute(string name, int burst, int perMinute) => new(name, burst, perMinute / 60.0);
}
