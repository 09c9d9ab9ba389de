using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Auth0Connector.FakeTenant;

/// <summary>
/// <c>dotnet run --project tests/Auth0Connector.FakeTenant -- [options]</c>: starts a fake tenant, prints one JSON line
/// <c>{"base_url","client_id","client_secret"}</c> to stdout, and serves until stdin closes, SIGTERM or Ctrl+C.
/// Human text goes to stderr.
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: Auth0Connector.FakeTenant [options]
          --users N                  users to seed (300)
          --organizations N          organizations (7); 0 or --no-organizations-feature for none
          --members-per-org N        members per organization (20)
          --roles N                  role catalog size (5)
          --roles-per-member N       roles per member (2)
          --clients N                clients (5)
          --seed N                   data seed (42)
          --max-per-page N           largest per_page accepted (100)
          --silent-page-cap N        serve at most N items per page of every listing, silently (no cap)
          --overstated-total N       report every listing's total N more than it holds (0)
          --users-sharing-one-timestamp N   users sharing one updated_at millisecond (0)
          --no-organizations-feature tenant without the Organizations feature
          --groups N                 groups (4), each with members and assigned to roles
          --no-groups-feature        tenant without groups (their endpoints answer 403 feature_not_enabled)
          --client-id ID             (fake-client-id)
          --client-secret SECRET     (fake-client-secret)
          --scopes LIST              scopes granted to the connector's tokens, comma-separated (every stream's),
                                     e.g. read:users,read:clients to try partial scopes; add delete:users to
                                     delete users with DELETE /api/v2/users/{id} (logged as sdu + sapi)
          --port N                   listen on 127.0.0.1:N (default: a free port)
          --rate-limit-bucket N      enable the global rate limit with a bucket of N requests
          --refill-per-second R      bucket refill rate (16)
          --rate-limit-plan P        rate limits as a plan sets them: free (one bucket, 2 / 2 per s), essentials
                                     (one bucket per endpoint group), enterprise (one bucket, 50 / 16 per s), or
                                     BURST/REFILL (one bucket); replaces --rate-limit-bucket
          --retry-after              send Retry-After on 429
          --latency-ms N             delay every /api/v2 and /oauth/token answer by N ms of real time (0)
          --fault-rate R             fraction 0..1 of /api/v2 requests that fail (5xx or empty 200) (0)
          --fault-seed N             seed of the fault draw (0)
          --index-lag-ms N           user search sees updates N ms late (0)
          --export-job-polls N       polls before an export job completes (2)
          --export-link-lifetime-s N seconds an export download link works (60)
          --config-out PATH          write a connector config for this tenant to PATH
          --ignore-stdin             do not stop when stdin closes (a /dev/null or closed stdin is always ignored)
        """;

    private static int Main(string[] args)
    {
        var options = new FakeTenantOptions();
        string? configOut = null;
        bool ignoreStdin = false;
        try
        {
            for (int i = 0; i < args.Length; i++)
            {
                string arg = args[i];
                switch (arg)
                {
                    case "--users": options.Users = Int(args, ref i); break;
                    case "--organizations": options.Organizations = Int(args, ref i); break;
                    case "--members-per-org": options.MembersPerOrganization = Int(args, ref i); break;
                    case "--roles": options.Roles = Int(args, ref i); break;
                    case "--roles-per-member": options.RolesPerMember = Int(args, ref i); break;
                    case "--clients": options.Clients = Int(args, ref i); break;
                    case "--seed": options.Seed = Int(args, ref i); break;
                    case "--max-per-page": options.MaxPerPage = Int(args, ref i); break;
                    case "--silent-page-cap": options.SilentPageCap = Int(args, ref i); break;
                    case "--overstated-total": options.OverstatedTotal = Int(args, ref i); break;
                    case "--users-sharing-one-timestamp": options.UsersSharingOneTimestamp = Int(args, ref i); break;
                    case "--no-organizations-feature": options.OrganizationsFeature = false; break;
                    case "--groups": options.Groups = Int(args, ref i); break;
                    case "--no-groups-feature": options.GroupsFeature = false; break;
                    case "--client-id": options.ClientId = Value(args, ref i); break;
                    case "--client-secret": options.ClientSecret = Value(args, ref i); break;
                    case "--scopes": options.GrantedScopes = Scopes(args, ref i); break;
                    case "--port": options.Port = Int(args, ref i); break;
                    case "--rate-limit-bucket": options.RateLimitBucket = Int(args, ref i); break;
                    case "--refill-per-second": options.RateLimitRefillPerSecond = double.Parse(Value(args, ref i), NumberStyles.Float, CultureInfo.InvariantCulture); break;
                    case "--rate-limit-plan": options.RateLimitPlan = RateLimitPlan.Parse(Value(args, ref i)); break;
                    case "--retry-after": options.SendRetryAfter = true; break;
                    case "--latency-ms": options.Latency = TimeSpan.FromMilliseconds(Int(args, ref i)); break;
                    case "--fault-rate": options.FaultRate = Fraction(args, ref i); break;
                    case "--fault-seed": options.FaultSeed = Int(args, ref i); break;
                    case "--index-lag-ms": options.SearchIndexLag = TimeSpan.FromMilliseconds(Int(args, ref i)); break;
                    case "--export-job-polls": options.ExportJobPolls = Int(args, ref i); break;
                    case "--export-link-lifetime-s": options.ExportLinkLifetime = TimeSpan.FromSeconds(Int(args, ref i)); break;
                    case "--config-out": configOut = Value(args, ref i); break;
                    case "--ignore-stdin": ignoreStdin = true; break;
                    case "-h" or "--help":
                        Console.Error.WriteLine(Usage);
                        return 0;
                    default:
                        throw new ArgumentException($"unknown argument '{arg}'");
                }
            }
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }

        // A live log, as a demo expects: seeded up to now, and users deleted on it are logged when they are.
        options.LiveLog = true;
        options.LogsNewest = options.Time.GetUtcNow();
        var stopwatch = Stopwatch.StartNew();
        using var tenant = FakeTenant.Start(options);
        Console.Error.WriteLine(
            $"fake Auth0 tenant at {tenant.BaseUrl}: {tenant.Users.Count} users, {tenant.Organizations.Count} organizations, " +
            $"{tenant.Clients.Count} clients, {tenant.RoleCatalog.Count} roles, {tenant.Groups.Count} groups; " +
            (ReferenceEquals(options.GrantedScopes, FakeTenant.AllScopes) ? "every stream's scope granted" : $"scopes granted: {string.Join(' ', options.GrantedScopes)}") +
            "; rate limit " +
            (options.RateLimitPlan is { } plan ? $"plan {plan.Name} ({string.Join(", ", plan.Buckets.Select(b => $"{b.Name} {b.Burst} / {b.RefillPerSecond.ToString("0.##", CultureInfo.InvariantCulture)} per s"))})" :
             options.RateLimitBucket is int bucket ? $"{bucket} burst / {options.RateLimitRefillPerSecond.ToString(CultureInfo.InvariantCulture)} per s" : "off") +
            (options.Latency > TimeSpan.Zero ? $"; latency {options.Latency.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms" : string.Empty) +
            (options.FaultRate > 0 ? $"; fault rate {options.FaultRate.ToString(CultureInfo.InvariantCulture)} (seed {options.FaultSeed.ToString(CultureInfo.InvariantCulture)})" : string.Empty) +
            (options.SearchIndexLag > TimeSpan.Zero ? $"; search index lag {options.SearchIndexLag.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms" : string.Empty) +
            $" (started in {stopwatch.ElapsedMilliseconds} ms)");

        if (configOut is not null)
        {
            var config = new JsonObject
            {
                ["base_url"] = tenant.BaseUrl,
                ["credentials"] = new JsonObject
                {
                    ["auth_type"] = "oauth2_confidential_application",
                    ["client_id"] = options.ClientId,
                    ["client_secret"] = options.ClientSecret,
                    ["audience"] = tenant.Audience,
                },
            };
            if (Path.GetDirectoryName(Path.GetFullPath(configOut)) is { } folder)
            {
                Directory.CreateDirectory(folder);
            }

            File.WriteAllText(configOut, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            Console.Error.WriteLine($"connector config written to {configOut}");
        }

        var ready = new JsonObject
        {
            ["base_url"] = tenant.BaseUrl,
            ["client_id"] = options.ClientId,
            ["client_secret"] = options.ClientSecret,
        };
        Console.Out.WriteLine(ready.ToJsonString());
        Console.Out.Flush();

        using var stop = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);

        if (!ignoreStdin && !StdinIsUseless())
        {
            var watcher = new Thread(() =>
            {
                try
                {
                    using var stdin = Console.OpenStandardInput();
                    var buffer = new byte[4096];
                    while (stdin.Read(buffer, 0, buffer.Length) > 0)
                    {
                    }
                }
                catch (IOException)
                {
                }

                stop.Cancel();
            })
            {
                IsBackground = true,
                Name = "stdin-watcher",
            };
            watcher.Start();
        }

        stop.Token.WaitHandle.WaitOne();
        Console.Error.WriteLine(
            $"stopping: {tenant.TokenRequestCount} token requests, {tenant.ApiRequestCount} API requests " +
            $"({tenant.RequestsServed} served, {tenant.InjectedFaultCount} injected faults), {tenant.RateLimitedCount} answered 429, " +
            $"{tenant.ExportJobCount} export jobs");
        return 0;
    }

    private static string Value(string[] args, ref int i)
    {
        if (i + 1 >= args.Length)
        {
            throw new ArgumentException($"{args[i]} needs a value");
        }

        return args[++i];
    }

    private static double Fraction(string[] args, ref int i)
    {
        string flag = args[i];
        double value = double.Parse(Value(args, ref i), NumberStyles.Float, CultureInfo.InvariantCulture);
        return value is >= 0 and <= 1 ? value : throw new ArgumentException($"{flag} must be between 0 and 1");
    }

    /// <summary>A comma-separated scope list; a name the tenant does not know is refused (a typo would look like a missing scope).</summary>
    private static string[] Scopes(string[] args, ref int i)
    {
        string[] scopes = Value(args, ref i).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string[] known = [.. FakeTenant.AllScopes, "read:client_keys", "delete:users"];
        return scopes.FirstOrDefault(s => !known.Contains(s, StringComparer.Ordinal)) is { } unknown
            ? throw new ArgumentException($"unknown scope '{unknown}' (known: {string.Join(',', known)})")
            : scopes;
    }

    private static int Int(string[] args, ref int i) => int.Parse(Value(args, ref i), NumberStyles.Integer, CultureInfo.InvariantCulture);

    /// <summary>
    /// A background job's stdin is /dev/null (or not open at all): "until stdin closes" would stop at once, so such a
    /// stdin is ignored and only a signal stops the tenant.
    /// </summary>
    private static bool StdinIsUseless()
    {
        try
        {
            var fd0 = new FileInfo("/proc/self/fd/0");
            if (!Directory.Exists("/proc/self/fd"))
            {
                return false;
            }

            return fd0.LinkTarget is null or "/dev/null";
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
