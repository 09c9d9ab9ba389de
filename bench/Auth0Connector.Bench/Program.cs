using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Auth0Connector.FakeTenant;

// Benchmarks of the real connector binary against the fake tenant. Figures, not pass/fail:
// the machines are shared and noisy, so targets are checked by reading the output.
//   ratelimit   a full sync against an emulated Auth0 token bucket: requests, 429s, elapsed ÷ ideal
//   users       a users sync with no rate limit: records/s and peak RSS, beside a bare baseline
//               that downloads the same pages and discards them
//   enterprise  a users sync against an enterprise budget (bucket 50, 16/s) with 150 ms latency
//   plans       a full sync against each Auth0 plan's rate limits (per-group buckets on Essentials):
//               elapsed ÷ the floor the buckets allow, requests ÷ the fewest possible, 429s
// Usage: Auth0Connector.Bench <mode> --connector PATH [--users N] [...]; see bench/run.sh.
var mode = args.FirstOrDefault() ?? "help";
var options = Options.Parse(args.Skip(1).ToArray());
switch (mode)
{
    case "ratelimit":
        return await Bench.RateLimitAsync(options);
    case "users":
        return await Bench.UsersAsync(options);
    case "enterprise":
        return await Bench.EnterpriseAsync(options);
    case "plans":
        return await Plans.RunAsync(options);
    case "baseline-users":
        return await Baseline.RunAsync(options);
    default:
        Console.Error.WriteLine("usage: Auth0Connector.Bench ratelimit|users|enterprise|plans [--plan free|essentials|enterprise|B/R] --connector PATH [--users N] [--organizations N] [--members N] [--bucket N] [--refill R] [--latency-ms N]");
        return 2;
}

internal sealed record Options(Dictionary<string, string> Values)
{
    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i].TrimStart('-')] = args[i + 1];
        }

        return new Options(values);
    }

    public int Int(string name, int fallback) => Values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) => Values.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public string String(string name) => Values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required");
}

internal sealed record RunResult(int ExitCode, TimeSpan Elapsed, long Records, long PeakRssBytes, Dictionary<string, long> PerStream);

internal static class Bench
{
    public static async Task<int> RateLimitAsync(Options o)
    {
        var bucket = o.Int("bucket", 10);
        var refill = o.Double("refill", 5);
        using var tenant = FakeTenant.Start(new FakeTenantOptions
        {
            Users = o.Int("users", 4_000),
            Organizations = o.Int("organizations", 20),
            MembersPerOrganization = o.Int("members", 100),
            RateLimitBucket = bucket,
            RateLimitRefillPerSecond = refill,
            Latency = TimeSpan.FromMilliseconds(o.Int("latency-ms", 20)),
        });
        await WarmUpAsync(tenant, TimeSpan.FromSeconds(bucket / refill + 1));
        var (served0, limited0) = (tenant.RequestsServed, tenant.RateLimitedCount);
        // Every stream the connector lists in discover: a stream added to its registry is benchmarked too.
        var result = await RunConnectorAsync(o.String("connector"), tenant, streams: null);
        var requests = tenant.RequestsServed - served0;
        var limited = tenant.RateLimitedCount - limited0;
        var ideal = (requests - bucket) / refill;
        var members = tenant.Server.LogEntries.Count(e => e.RequestMessage?.Path is { } path && path.Contains("/organizations/", StringComparison.Ordinal) && path.EndsWith("/members", StringComparison.Ordinal) && e.ResponseMessage?.StatusCode is 200);
        Console.WriteLine($"ratelimit: bucket {bucket}, refill {refill}/s, latency {tenant.Options.Latency.TotalMilliseconds} ms, exit {result.ExitCode}");
        Console.WriteLine($"  streams            {result.PerStream.Count}");
        Console.WriteLine($"  records            {result.Records} ({string.Join(", ", result.PerStream.Select(p => $"{p.Key} {p.Value}"))})");
        Console.WriteLine($"  requests sent      {requests}");
        Console.WriteLine($"  members listings   {members} requests for {tenant.Organizations.Count} organizations = {members / (double)Math.Max(1, tenant.Organizations.Count):F2} per organization for both member streams (target <= 2.1)");
        Console.WriteLine($"  429s received      {limited} ({100.0 * limited / requests:F2}% of requests; target <= 1%)");
        Console.WriteLine($"  elapsed            {result.Elapsed.TotalSeconds:F2} s");
        Console.WriteLine($"  ideal              {ideal:F2} s = (requests - bucket) / refill");
        Console.WriteLine($"  elapsed / ideal    {result.Elapsed.TotalSeconds / ideal:F3} (target <= 1.05, 0 × 429)");
        return result.ExitCode;
    }

    public static async Task<int> EnterpriseAsync(Options o)
    {
        var bucket = o.Int("bucket", 50);
        var refill = o.Double("refill", 16);
        using var tenant = FakeTenant.Start(new FakeTenantOptions
        {
            Users = o.Int("users", 20_000),
            Organizations = 0,
            RateLimitBucket = bucket,
            RateLimitRefillPerSecond = refill,
            Latency = TimeSpan.FromMilliseconds(o.Int("latency-ms", 150)),
        });
        await WarmUpAsync(tenant, TimeSpan.FromSeconds(bucket / refill + 1));
        var (served0, limited0) = (tenant.RequestsServed, tenant.RateLimitedCount);
        var result = await RunConnectorAsync(o.String("connector"), tenant, ["users"]);
        var requests = tenant.RequestsServed - served0;
        var ideal = (requests - bucket) / refill;
        Console.WriteLine($"enterprise: {tenant.Options.Users} users, bucket {bucket}, refill {refill}/s, latency {tenant.Options.Latency.TotalMilliseconds} ms, exit {result.ExitCode}");
        Console.WriteLine($"  records {result.Records}, requests {requests}, 429s {tenant.RateLimitedCount - limited0}");
        Console.WriteLine($"  elapsed {result.Elapsed.TotalSeconds:F2} s, ideal {ideal:F2} s, elapsed / ideal {result.Elapsed.TotalSeconds / ideal:F3} (target <= 1.25)");
        return result.ExitCode;
    }

    public static async Task<int> UsersAsync(Options o)
    {
        var sizes = o.Values.TryGetValue("users", out var list) ? list.Split(',').Select(int.Parse).ToArray() : [10_000, 100_000];
        foreach (var size in sizes)
        {
            using var tenant = FakeTenant.Start(new FakeTenantOptions { Users = size, Organizations = 0 });
            await WarmUpAsync(tenant, TimeSpan.Zero);
            var connector = await RunConnectorAsync(o.String("connector"), tenant, ["users"]);
            var token = tenant.IssueToken();
            var baseline = await RunProcessAsync(Environment.ProcessPath!, ["baseline-users", "--base-url", tenant.BaseUrl], new() { ["BENCH_TOKEN"] = token }, countRecords: false);
            var baselineRecords = long.Parse(baseline.Output.Trim(), CultureInfo.InvariantCulture);
            double Rate(long records, TimeSpan elapsed) => records / elapsed.TotalSeconds;
            var connectorRate = Rate(connector.Records, connector.Elapsed);
            var baselineRate = Rate(baselineRecords, baseline.Result.Elapsed);
            Console.WriteLine($"users: {size} users, no rate limit, exit {connector.ExitCode}");
            Console.WriteLine($"  connector  {connector.Records,8} records in {connector.Elapsed.TotalSeconds,6:F2} s = {connectorRate,9:F0} records/s, peak RSS {connector.PeakRssBytes / 1048576.0,6:F1} MiB");
            Console.WriteLine($"  baseline   {baselineRecords,8} records in {baseline.Result.Elapsed.TotalSeconds,6:F2} s = {baselineRate,9:F0} records/s, peak RSS {baseline.Result.PeakRssBytes / 1048576.0,6:F1} MiB");
            Console.WriteLine($"  connector / baseline records/s = {connectorRate / baselineRate:F2} (target >= 0.67); peak RSS target <= 100 MiB");
        }

        return 0;
    }

    /// <summary>JIT the tenant's paths, then let its bucket refill so the measured sync starts full.</summary>
    internal static async Task WarmUpAsync(FakeTenant tenant, TimeSpan refillPause)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tenant.IssueToken());
        foreach (var path in new[] { "users?per_page=1&page=0&include_totals=true", "clients?per_page=1", "organizations?take=1" })
        {
            using var _ = await http.GetAsync(new Uri($"{tenant.BaseUrl}/api/v2/{path}"));
        }

        await Task.Delay(refillPause);
    }

    /// <summary>Reads <paramref name="streams"/> (full refresh), or every stream <c>discover</c> lists when null.</summary>
    internal static async Task<RunResult> RunConnectorAsync(string connector, FakeTenant tenant, string[]? streams)
    {
        var dir = Directory.CreateTempSubdirectory("auth0-bench-").FullName;
        var config = Path.Combine(dir, "config.json");
        var catalog = Path.Combine(dir, "catalog.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["base_url"] = tenant.BaseUrl,
            ["credentials"] = new Dictionary<string, string>
            {
                ["auth_type"] = "oauth2_confidential_application",
                ["client_id"] = tenant.Options.ClientId,
                ["client_secret"] = tenant.Options.ClientSecret,
            },
        }));
        if (streams is null)
        {
            var (_, discovered) = await RunProcessAsync(connector, ["discover", "--config", config], [], countRecords: false);
            using var catalogMessage = JsonDocument.Parse(discovered);
            streams = [.. catalogMessage.RootElement.GetProperty("catalog").GetProperty("streams").EnumerateArray().Select(s => s.GetProperty("name").GetString()!)];
        }

        var entries = streams.Select(s => $$"""{"stream":{"name":"{{s}}","json_schema":{},"supported_sync_modes":["full_refresh"]},"sync_mode":"full_refresh","destination_sync_mode":"overwrite"}""");
        await File.WriteAllTextAsync(catalog, $$"""{"streams":[{{string.Join(",", entries)}}]}""");
        var (result, _) = await RunProcessAsync(connector, ["read", "--config", config, "--catalog", catalog], [], countRecords: true);
        Directory.Delete(dir, recursive: true);
        return result;
    }

    public static async Task<(RunResult Result, string Output)> RunProcessAsync(string file, string[] arguments, Dictionary<string, string> environment, bool countRecords)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var peak = 0L;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, PeakRss(process.Id));
                await Task.Delay(20);
            }
        });
        var stderr = process.StandardError.ReadToEndAsync();
        var perStream = new Dictionary<string, long>(StringComparer.Ordinal);
        var records = 0L;
        var output = new System.Text.StringBuilder();
        if (countRecords)
        {
            // Count records by scanning bytes: the reader must not be the bottleneck it measures.
            records = await CountRecordsAsync(process.StandardOutput.BaseStream, perStream);
        }
        else
        {
            output.Append(await process.StandardOutput.ReadToEndAsync());
        }

        peak = Math.Max(peak, PeakRss(process.Id));
        await process.WaitForExitAsync();
        clock.Stop();
        await sampling.CancelAsync();
        await sampler;
        var errors = await stderr;
        if (process.ExitCode != 0 && errors.Length > 0)
        {
            Console.Error.WriteLine(errors);
        }

        return (new RunResult(process.ExitCode, clock.Elapsed, records, peak, perStream), output.ToString());
    }

    private static async Task<long> CountRecordsAsync(Stream stdout, Dictionary<string, long> perStream)
    {
        var marker = "{\"type\":\"RECORD\",\"record\":{\"stream\":\""u8.ToArray();
        var errorMarker = "\"failure_type\""u8.ToArray();
        var buffer = new byte[1 << 20];
        var carry = 0;
        long records = 0;
        while (true)
        {
            var read = await stdout.ReadAsync(buffer.AsMemory(carry));
            var length = carry + read;
            var start = 0;
            while (true)
            {
                var newline = Array.IndexOf(buffer, (byte)'\n', start, length - start);
                if (newline < 0)
                {
                    break;
                }

                var line = buffer.AsSpan(start, newline - start);
                if (line.StartsWith(marker))
                {
                    records++;
                    var rest = line[marker.Length..];
                    var name = System.Text.Encoding.UTF8.GetString(rest[..rest.IndexOf((byte)'"')]);
                    perStream[name] = perStream.GetValueOrDefault(name) + 1;
                }
                else if (line.IndexOf(errorMarker) >= 0)
                {
                    Console.Error.WriteLine(System.Text.Encoding.UTF8.GetString(line));
                }

                start = newline + 1;
            }

            carry = length - start;
            if (start > 0 && carry > 0)
            {
                Buffer.BlockCopy(buffer, start, buffer, 0, carry);
            }
            else if (carry == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            if (read == 0)
            {
                return records;
            }
        }
    }

    /// <summary>VmHWM (peak resident set) of a running process, in bytes; 0 once it has gone.</summary>
    private static long PeakRss(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }
}

/// <summary>
/// The bare baseline: the same users requests as the connector's time walk (page 0 of
/// updated_at:[T TO end} sorted by updated_at, no totals), bodies downloaded and discarded, apart from the
/// last user's updated_at needed for the next request. Prints the number of users seen.
/// </summary>
internal static class Baseline
{
    public static async Task<int> RunAsync(Options o)
    {
        using var http = new HttpClient { BaseAddress = new Uri(o.String("base-url") + "/api/v2/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Environment.GetEnvironmentVariable("BENCH_TOKEN"));
        var end = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var lower = "*";
        long seen = 0;
        string? lastId = null;
        while (true)
        {
            var q = Uri.EscapeDataString($"updated_at:[{lower} TO {end}}}");
            var body = await http.GetByteArrayAsync(new Uri($"users?q={q}&sort=updated_at%3A1&search_engine=v3&page=0&per_page=100&include_totals=false", UriKind.Relative));
            using var page = JsonDocument.Parse(body);
            var users = page.RootElement;
            var count = users.GetArrayLength();
            if (count == 0)
            {
                break;
            }

            var last = users[count - 1];
            // The first user of a continued page is the previous page's last one.
            seen += lastId is not null && users[0].GetProperty("user_id").GetString() == lastId ? count - 1 : count;
            lastId = last.GetProperty("user_id").GetString();
            if (count < 100)
            {
                break;
            }

            lower = last.GetProperty("updated_at").GetString()!;
        }

        Console.WriteLine(seen);
        return 0;
    }
}
