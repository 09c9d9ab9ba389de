using System.Globalization;
using Auth0Connector.FakeTenant;

/// <summary>
/// A sync of every stream against each plan's rate limits as Auth0 enforces them (the fake tenant's
/// <see cref="RateLimitPlan"/>: whole tokens remaining, reset in whole epoch seconds, per-group buckets on
/// Essentials). Prints, per plan, elapsed ÷ floor, requests ÷ fewest possible and 429s.
/// </summary>
/// <remarks>
/// The floor is, over the plan's buckets, the slowest of (fewest requests that bucket must answer − its burst) ÷ its
/// refill: no connector can be faster. The fewest requests are counted from the tenant's data, a listing at a time,
/// 100 rows a page: one request per page, one more where the API's own end signal needs it (members' checkpoint
/// pages always carry a <c>next</c>; the logs walk ends on an empty page and starts with a search for the oldest
/// event), a parent listing read once for all its child streams.
/// </remarks>
internal static class Plans
{
    private sealed record Plan(string Label, RateLimitPlan Limits, int Scale, int LatencyMs);

    public static async Task<int> RunAsync(Options o)
    {
        Plan[] all =
        [
            new("essentials", RateLimitPlan.Essentials, 1, 20),
            new("enterprise", RateLimitPlan.Enterprise, 3, 50),
            new("free", RateLimitPlan.Free, 1, 20),
            new("one bucket 10/10", RateLimitPlan.Single("10/10", 10, 10), 1, 20),
        ];
        var only = o.Values.GetValueOrDefault("plan");
        var exit = 0;
        foreach (var plan in only is null ? all : [all.FirstOrDefault(p => p.Label == only) ?? new Plan(only, RateLimitPlan.Parse(only), 1, 20)])
        {
            exit = Math.Max(exit, await RunAsync(o, plan));
        }

        return exit;
    }

    private static async Task<int> RunAsync(Options o, Plan plan)
    {
        var scale = o.Int("scale", plan.Scale);
        var options = new FakeTenantOptions
        {
            Users = 800 * scale,
            Organizations = 10 * scale,
            MembersPerOrganization = 30,
            Logs = 3_000 * scale,
            Roles = 30 * scale,
            Connections = 40 * scale,
            ClientGrants = 60 * scale,
            RateLimitPlan = plan.Limits,
            Latency = TimeSpan.FromMilliseconds(o.Int("latency-ms", plan.LatencyMs)),
        };
        using var tenant = FakeTenant.Start(options);
        await Bench.WarmUpAsync(tenant, TimeSpan.FromSeconds(plan.Limits.Buckets.Max(b => b.Burst / b.RefillPerSecond) + 1));
        var before = tenant.ServedByBucket;
        var result = await Bench.RunConnectorAsync(o.String("connector"), tenant, streams: null);
        var after = tenant.ServedByBucket;
        var fewest = Fewest(options);
        var fewestByBucket = fewest.GroupBy(f => plan.Limits.PerGroup ? f.Group : plan.Limits.Buckets.Single().Name)
            .ToDictionary(g => g.Key, g => g.Sum(f => f.Requests), StringComparer.Ordinal);
        var floor = plan.Limits.Buckets.Max(b => Math.Max(0, fewestByBucket.GetValueOrDefault(b.Name) - b.Burst) / b.RefillPerSecond);
        int Delta(string bucket, Func<(int Served, int RateLimited), int> of) =>
            of(after.GetValueOrDefault(bucket)) - of(before.GetValueOrDefault(bucket));
        var requests = plan.Limits.Buckets.Sum(b => Delta(b.Name, c => c.Served));
        var limited = plan.Limits.Buckets.Sum(b => Delta(b.Name, c => c.RateLimited));
        var sum = fewest.Sum(f => f.Requests);
        var target = plan.Limits.PerGroup ? "1.10" : plan.Label.StartsWith("one bucket", StringComparison.Ordinal) ? "1.05" : "1.10";
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(c, $"plans: {plan.Label} ({options.Users} users, {options.Organizations} organizations × {options.MembersPerOrganization} members, {options.Logs} log events, {options.Roles} roles, {options.Connections} connections, {options.ClientGrants} client grants; latency {options.Latency.TotalMilliseconds} ms), exit {result.ExitCode}, streams {result.PerStream.Count}, records {result.Records}"));
        Console.WriteLine(string.Create(c, $"  elapsed / floor    {result.Elapsed.TotalSeconds:F1} s / {floor:F1} s = {result.Elapsed.TotalSeconds / floor:F3} (target <= {target})"));
        Console.WriteLine(string.Create(c, $"  requests / fewest  {requests} / {sum} = {requests / (double)sum:F3} (target <= 1.05)"));
        Console.WriteLine(string.Create(c, $"  429s               {limited} ({100.0 * limited / Math.Max(1, requests):F2}% of requests; target <= 1%)"));
        foreach (var bucket in plan.Limits.Buckets.OrderByDescending(b => Math.Max(0, fewestByBucket.GetValueOrDefault(b.Name) - b.Burst) / b.RefillPerSecond))
        {
            var need = fewestByBucket.GetValueOrDefault(bucket.Name);
            Console.WriteLine(string.Create(c, $"    {bucket.Name,-31} {bucket.Burst,3} / {bucket.RefillPerSecond,5:0.##} per s: {Delta(bucket.Name, x => x.Served),4} requests (fewest {need,4}), {Delta(bucket.Name, x => x.RateLimited),2} × 429, floor {Math.Max(0, need - bucket.Burst) / bucket.RefillPerSecond,5:F1} s"));
        }

        return result.ExitCode;
    }

    private static int Pages(int rows) => Math.Max(1, (rows + 99) / 100);

    /// <summary>The fewest requests each stream needs on this tenant, with the endpoint group that answers them.</summary>
    internal static List<(string Stream, string Group, int Requests)> Fewest(FakeTenantOptions t)
    {
        var orgs = t.Organizations;
        return
        [
            ("users", RateLimitPlan.ReadUsers, Pages(t.Users)),
            // A first incremental users sync records where the log stands for deletions: the newest event, one request.
            ("users (deletions)", RateLimitPlan.ReadLogs, 1),
            ("clients", RateLimitPlan.ReadClients, Pages(t.Clients)),
            ("organizations", RateLimitPlan.ReadOrganizations, Pages(orgs)),
            // Both member streams from one walk; members' checkpoint pages always carry a next: one more page each.
            ("organization_members", RateLimitPlan.ReadOrganizationMembers, orgs * (Pages(t.MembersPerOrganization) + 1)),
            ("organization_invitations", RateLimitPlan.Other, orgs * Pages(t.InvitationsPerOrganization)),
            ("organization_connections", RateLimitPlan.ReadOrganizationConnections, orgs * Pages(t.ConnectionsPerOrganization)),
            ("roles", RateLimitPlan.Other, Pages(t.Roles)),
            ("role_users", RateLimitPlan.Other, t.Roles * Pages(t.UsersPerRole)),
            ("role_permissions", RateLimitPlan.Other, t.Roles * Pages(t.PermissionsPerRole)),
            // The oldest retained event (one search), then checkpoint pages until one that is not full.
            ("logs", RateLimitPlan.ReadLogs, 1 + (t.Logs / 100) + 1),
            ("connections", RateLimitPlan.ReadConnections, Pages(t.Connections)),
            ("client_grants", RateLimitPlan.Other, Pages(t.ClientGrants)),
            ("resource_servers", RateLimitPlan.Other, Pages(t.ResourceServers)),
            ("actions", RateLimitPlan.Other, Pages(t.Actions)),
            ("log_streams", RateLimitPlan.Other, 1),
            ("stats_daily", RateLimitPlan.Other, 1),
            ("tenant_settings", RateLimitPlan.Other, 1),
            ("signing_keys", RateLimitPlan.Other, 1),
            ("groups", RateLimitPlan.Other, Pages(t.Groups)),
            ("group_members", RateLimitPlan.Other, t.Groups * Pages(t.MembersPerGroup)),
            ("role_groups", RateLimitPlan.Other, t.Roles * Pages(t.GroupsPerRole)),
        ];
    }
}
