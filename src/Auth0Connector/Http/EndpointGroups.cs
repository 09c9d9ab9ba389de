namespace Auth0Connector.Http;

/// <summary>
/// Auth0's Management API endpoint groups, as its rate-limit policy names them ("rate limit configurations" per
/// subscription plan). The groups are the same on every plan; only the numbers differ, and on Free and Enterprise
/// production tenants all of them draw on one global bucket.
/// </summary>
internal enum EndpointGroup
{
    /// <summary>Every endpoint without a group of its own (roles, grants, actions, invitations, jobs, ...).</summary>
    Other,
    ReadUsers,
    ReadLogs,
    ReadOrganizations,
    ReadOrganizationById,
    ReadOrganizationMembers,
    ReadOrganizationMemberRoles,
    ReadOrganizationConnections,
    ReadClients,
    ReadConnections,
}

/// <summary>
/// The bucket map: which endpoint group a request falls in, and what Auth0 publishes about each group's bucket on
/// the plans that have per-group buckets. <see cref="RateGate"/> keeps one bucket model per group until the
/// headers show that groups share a bucket.
/// </summary>
internal static class EndpointGroups
{
    /// <summary>Auth0's name of a group, as its plan tables and our summary show it.</summary>
    public static string NameOf(EndpointGroup group) => group switch
    {
        EndpointGroup.ReadUsers => "Read Users",
        EndpointGroup.ReadLogs => "Read Logs",
        EndpointGroup.ReadOrganizations => "Read Organizations",
        EndpointGroup.ReadOrganizationById => "Read Organization By ID",
        EndpointGroup.ReadOrganizationMembers => "Read Organization Members",
        EndpointGroup.ReadOrganizationMemberRoles => "Read Organization Member Roles",
        EndpointGroup.ReadOrganizationConnections => "Read Organization Connections",
        EndpointGroup.ReadClients => "Read Clients",
        EndpointGroup.ReadConnections => "Read Connections",
        _ => "all other endpoints",
    };

    /// <summary>The group of <paramref name="method"/> <paramref name="uri"/> (a Management API URI, or a path under <c>/api/v2/</c>).</summary>
    public static EndpointGroup Of(HttpMethod method, Uri uri)
    {
        var path = uri.IsAbsoluteUri ? uri.AbsolutePath : uri.OriginalString.Split('?', 2)[0];
        return Of(method, path);
    }

    /// <summary>The group of a request for <paramref name="path"/> (with or without <c>/api/v2/</c>, no query).</summary>
    public static EndpointGroup Of(HttpMethod method, string path)
    {
        if (method != HttpMethod.Get)
        {
            return EndpointGroup.Other;
        }

        var trimmed = path.Trim('/');
        if (trimmed.StartsWith("api/v2/", StringComparison.Ordinal))
        {
            trimmed = trimmed[7..];
        }

        return trimmed.Split('/') switch
        {
            ["users"] or ["users", _] => EndpointGroup.ReadUsers,
            ["logs"] or ["logs", _] => EndpointGroup.ReadLogs,
            ["organizations"] => EndpointGroup.ReadOrganizations,
            ["organizations", _] or ["organizations", "name", _] => EndpointGroup.ReadOrganizationById,
            ["organizations", _, "members"] => EndpointGroup.ReadOrganizationMembers,
            ["organizations", _, "members", _, "roles"] => EndpointGroup.ReadOrganizationMemberRoles,
            ["organizations", _, "enabled_connections"] or ["organizations", _, "enabled_connections", _] => EndpointGroup.ReadOrganizationConnections,
            ["clients"] or ["clients", _] => EndpointGroup.ReadClients,
            ["connections"] or ["connections", _] => EndpointGroup.ReadConnections,
            _ => EndpointGroup.Other,
        };
    }

    /// <summary>
    /// The refill Auth0 publishes for a bucket of <paramref name="group"/> whose <c>x-ratelimit-limit</c> is
    /// <paramref name="limit"/>, in requests per second; null where no plan's table has that pair (the gate then
    /// measures it). Where plans disagree for one pair, the slowest: a refill guessed too high costs 429s, one too
    /// low only the time until the measurement takes over.
    /// </summary>
    public static double? PublishedRefill(EndpointGroup group, int limit)
    {
        double? best = null;
        foreach (var (g, burst, perSecond) in Published)
        {
            if (burst == limit && (g is null || g == group) && (best is null || perSecond < best))
            {
                best = perSecond;
            }
        }

        return best;
    }

    /// <summary>
    /// Auth0's published buckets (burst, sustained): Essentials per group (per minute in its table), Enterprise
    /// production's and Free's global bucket (any group: null). Professional has the same groups with larger
    /// numbers, not listed here: its buckets are measured.
    /// </summary>
    private static readonly (EndpointGroup? Group, int Burst, double PerSecond)[] Published =
    [
        (EndpointGroup.ReadUsers, 40, 500 / 60.0),
        (EndpointGroup.ReadLogs, 10, 100 / 60.0),
        (EndpointGroup.ReadOrganizations, 5, 50 / 60.0),
        (EndpointGroup.ReadOrganizationById, 20, 200 / 60.0),
        (EndpointGroup.ReadOrganizationMembers, 40, 500 / 60.0),
        (EndpointGroup.ReadOrganizationMemberRoles, 20, 200 / 60.0),
        (EndpointGroup.ReadOrganizationConnections, 5, 50 / 60.0),
        (EndpointGroup.ReadClients, 5, 100 / 60.0),
        (EndpointGroup.ReadConnections, 5, 50 / 60.0),
        (EndpointGroup.Other, 10, 150 / 60.0),
        (null, 50, 16),
        (null, 2, 2),
        (null, 10, 2),
    ];
}
