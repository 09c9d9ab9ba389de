using System.Diagnostics;
using System.Text.Json;
using Auth0Connector.FakeTenant;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Cli;

/// <summary>The real binary killed with SIGKILL mid-sync, restarted from the last STATE it printed.</summary>
public class CrashResumeTests : IDisposable
{
    private readonly TempFiles _files = new();

    /// <summary>Runs the connector binary and kills it (SIGKILL) once it has printed <paramref name="killAfterRecords"/> records.</summary>
    private static async Task<List<string>> RunAndKillAsync(string[] args, int? killAfterRecords)
    {
        var start = new ProcessStartInfo(ConnectorProcess.Binary()) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        var records = 0;
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            lines.Add(line);
            if (line.StartsWith("{\"type\":\"RECORD\"", StringComparison.Ordinal) && ++records == killAfterRecords)
            {
                process.Kill(); // SIGKILL: no chance to flush or clean up
                break;
            }
        }

        await process.WaitForExitAsync();
        Assert.True(lines.Count > 0, $"the connector printed nothing (exit {process.ExitCode}): {await errors}");
        return lines;
    }

    private static IEnumerable<string> UserIds(IEnumerable<string> lines) =>
        lines.Where(l => l.StartsWith("{\"type\":\"RECORD\"", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("record").GetProperty("data").GetProperty("user_id").GetString()!);

    private string StateFileFrom(List<string> lines)
    {
        var last = lines.Last(l => l.StartsWith("{\"type\":\"STATE\"", StringComparison.Ordinal));
        var state = JsonDocument.Parse(last).RootElement.GetProperty("state").GetRawText();
        return _files.Write($"state-{Guid.NewGuid():N}.json", $"[{state}]");
    }

    [Theory]
    [InlineData(1, 2_345)]
    [InlineData(4, 6_789)]
    public async Task A_killed_users_sync_restarted_from_its_last_state_delivers_every_user(int concurrency, int killAfter)
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 12_000, Organizations = 0 });
        var config = _files.ClientCredentialsConfig(tenant, $$""", "max_concurrency": {{concurrency}}, "lookback_window_seconds": 0""");
        var catalog = _files.Catalog(["users"]);

        var killed = await RunAndKillAsync(["read", "--config", config, "--catalog", catalog], killAfter);
        var before = UserIds(killed).ToList();
        Assert.True(before.Count == killAfter, string.Join("\n", killed.Take(5)));
        var resumed = await RunAndKillAsync(["read", "--config", config, "--catalog", catalog, "--state", StateFileFrom(killed)], killAfterRecords: null);
        var after = UserIds(resumed).ToList();

        Assert.Equal(tenant.UserIds.Order(), before.Concat(after).Distinct().Order());
        // The state saves each range's position: a restart re-reads at most the page whose records
        // were printed before its STATE, plus the user at each range's saved millisecond.
        var redelivered = after.Intersect(before).Count();
        Assert.InRange(redelivered, 0, 100 + concurrency);
        if (concurrency > 1)
        {
            var state = JsonDocument.Parse(killed.Last(l => l.StartsWith("{\"type\":\"STATE\"", StringComparison.Ordinal))).RootElement
                .GetProperty("state").GetProperty("stream").GetProperty("stream_state");
            Assert.True(state.TryGetProperty("updated_at", out _));
            Assert.True(state.GetProperty("ranges").GetArrayLength() > 0);
        }
    }

    [Fact]
    public async Task A_killed_logs_sync_restarted_from_its_last_state_delivers_every_event_once()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 10, Organizations = 0, Logs = 3_000 });
        var config = _files.ClientCredentialsConfig(tenant);
        static IEnumerable<string> LogIds(IEnumerable<string> lines) =>
            lines.Where(l => l.StartsWith("{\"type\":\"RECORD\"", StringComparison.Ordinal))
                .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("record").GetProperty("data").GetProperty("log_id").GetString()!);

        var killed = await RunAndKillAsync(["read", "--config", config, "--streams", "logs"], 1_234);
        var before = LogIds(killed).ToList();
        var resumed = await RunAndKillAsync(["read", "--config", config, "--streams", "logs", "--state", StateFileFrom(killed)], killAfterRecords: null);
        var after = LogIds(resumed).ToList();

        Assert.Equal(1_234, before.Count);
        Assert.Equal(tenant.LogIds, before.Concat(after).Distinct());
        // Only the records printed after the last STATE (less than one page of 100) come again, and nothing twice within a sync.
        Assert.InRange(after.Intersect(before).Count(), 0, 99);
        Assert.Equal(after.Count, after.Distinct().Count());
        Assert.Equal(tenant.LogIds.Count, after.Union(before).Count());
    }

    [Fact]
    public async Task A_users_sync_killed_among_its_deletions_restarted_from_its_last_state_emits_each_deletion_once()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 300, Organizations = 0 });
        var config = _files.ClientCredentialsConfig(tenant, """, "page_size": 25""");
        var catalog = _files.Catalog(["users"]);
        static List<string> Deleted(IEnumerable<string> lines) =>
            [.. lines.Where(l => l.StartsWith("{\"type\":\"RECORD\"", StringComparison.Ordinal) && l.Contains("\"_ab_cdc_deleted_at\"", StringComparison.Ordinal))
                .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("record").GetProperty("data").GetProperty("user_id").GetString()!)];

        var first = await RunAndKillAsync(["read", "--config", config, "--catalog", catalog], killAfterRecords: null);
        var deleted = tenant.UserIds.Where((_, i) => i % 2 == 0).ToList();
        deleted.ForEach(id => Assert.True(tenant.DeleteUser(id)));
        // 150 deletions, 300 log events at 25 a page: killed after 100 of them, mid-walk.
        var killed = await RunAndKillAsync(["read", "--config", config, "--catalog", catalog, "--state", StateFileFrom(first)], 100);
        var resumed = await RunAndKillAsync(["read", "--config", config, "--catalog", catalog, "--state", StateFileFrom(killed)], killAfterRecords: null);

        var lastState = killed.FindLastIndex(l => l.StartsWith("{\"type\":\"STATE\"", StringComparison.Ordinal));
        var covered = Deleted(killed.Take(lastState));
        var again = Deleted(resumed);
        Assert.Equal(100, Deleted(killed).Count);
        Assert.InRange(covered.Count, 50, 100);
        // What a STATE covered never comes again; only what was printed after the last one may; nothing is lost.
        Assert.Empty(covered.Intersect(again));
        Assert.Equal(again.Count, again.Distinct().Count());
        Assert.Equal(deleted.Order(), covered.Concat(again).Order());
    }

    public void Dispose() => _files.Dispose();
}
