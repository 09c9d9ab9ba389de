using System.Text.Json;
using Auth0Connector.Tests.Support;
using static Auth0Connector.Tests.Support.DeletionSyncs;

namespace Auth0Connector.Tests.Streams;

/// <summary>
/// Deletions that must never be lost, repeated or silently missing: a sync stopped after any of its deletion
/// checkpoints and resumed, a token without <c>read:logs</c>, a log that no longer reaches back to the checkpoint.
/// </summary>
public class UserDeletionsResilienceTests : IDisposable
{
    private readonly DeletionSyncs _sync = new();

    private static List<string> DeletedIds(IEnumerable<string> lines) =>
        [.. lines.Where(l => l.StartsWith("{\"type\":\"RECORD\"", StringComparison.Ordinal) && l.Contains("\"_ab_cdc_deleted_at\"", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("record").GetProperty("data").GetProperty("user_id").GetString()!)];

    private static int LogRequests(FakeTenant.FakeTenant tenant) =>
        tenant.Server.LogEntries.Count(e => e.RequestMessage?.Path?.StartsWith("/api/v2/logs", StringComparison.Ordinal) == true);

    [Fact]
    public async Task Read_StoppedAfterAnyDeletionCheckpointAndResumed_LosesAndRepeatsNoDeletion()
    {
        using var tenant = Start(o => o.Users = 400);
        var first = await _sync.SyncAsync(tenant);
        var deleted = Delete(tenant, tenant.UserIds.Where((_, i) => i % 4 == 1).Take(90)).Keys.ToHashSet();
        const string Pages = """, "page_size": 25""";
        var whole = await _sync.SyncAsync(tenant, first, Pages);
        Assert.Equal(deleted.Order(), DeletedIds(whole.Lines).Order());

        // Every STATE printed among the deletions is a point where a kill leaves the sync: resume from each.
        var lines = whole.Lines.ToList();
        var lastDeletion = lines.FindLastIndex(l => l.Contains("\"_ab_cdc_deleted_at\"", StringComparison.Ordinal));
        var stops = Enumerable.Range(0, lastDeletion).Where(i => lines[i].StartsWith("{\"type\":\"STATE\"", StringComparison.Ordinal)).ToList();
        Assert.True(stops.Count >= 6, $"only {stops.Count} checkpoints among the deletions");
        var straddling = 0;
        foreach (var stop in stops)
        {
            var state = JsonDocument.Parse(lines[stop]).RootElement.GetProperty("state").GetProperty("stream").GetProperty("stream_state");
            var covered = DeletedIds(lines.Take(stop)).ToHashSet();
            var resumed = await _sync.SyncAsync(tenant, extra: Pages, state: _sync.UsersStateFile(state.GetRawText()));

            resumed.AssertComplete("users");
            var again = DeletedIds(resumed.Lines);
            Assert.Equal(again.Count, again.Distinct().Count());
            Assert.Empty(covered.Intersect(again));
            Assert.Equal(deleted.Order(), covered.Concat(again).Order());
            straddling += StraddlesAPair(tenant, state.GetProperty("deletions").GetProperty("log_id").GetString()!, covered) ? 1 : 0;
        }

        // At least one stop fell between the two log events of one deletion (its sdu read, its sapi not yet).
        Assert.True(straddling > 0, "no checkpoint fell between the two events of a deletion");
    }

    /// <summary>Whether the event after <paramref name="logId"/> is the sapi of a deletion whose sdu came before it.</summary>
    private static bool StraddlesAPair(FakeTenant.FakeTenant tenant, string logId, HashSet<string> covered)
    {
        var next = tenant.Logs.SkipWhile(e => (string)e["log_id"]! != logId).Skip(1).FirstOrDefault();
        var path = (string?)next?["details"]?["request"]?["path"];
        return (string?)next?["type"] == "sapi" && path is not null && covered.Contains(Uri.UnescapeDataString(path["/api/v2/users/".Length..]));
    }

    [Fact]
    public async Task Read_TokenKnownToLackReadLogs_ReadsUsersWithOneWarningAndNoLogRequest()
    {
        using var tenant = Start(o => o.GrantedScopes = [.. FakeTenant.FakeTenant.AllScopes.Except(["read:logs"])]);

        var first = await _sync.SyncAsync(tenant);
        Delete(tenant, [tenant.UserIds[3]]);
        var second = await _sync.SyncAsync(tenant, first);

        foreach (var run in (ConnectorRun[])[first, second])
        {
            run.AssertComplete("users");
            Assert.Contains("read:logs", Assert.Single(run.Warnings), StringComparison.Ordinal);
            Assert.Empty(Deletions(run));
            Assert.False(FinalState(run).TryGetProperty("deletions", out _));
        }

        Assert.Equal(200, first.Records("users").Count());
        Assert.Equal(0, LogRequests(tenant));
    }

    [Fact]
    public async Task Read_LogAnswers403ForReadLogs_UsersStillReadAndTheCheckpointHoldsUntilTheScopeIsBack()
    {
        using var tenant = Start();
        var first = await _sync.SyncAsync(tenant);
        var saved = FinalState(first).GetProperty("deletions").GetRawText();
        var deleted = Delete(tenant, [tenant.UserIds[9]]);
        // A pasted token does not say its scopes: the log answers 403 insufficient_scope.
        var token = tenant.IssueToken(FakeTenant.FakeTenant.AllScopes.Except(["read:logs"]));
        string[] args = ["read", "--config", _sync.Files.AccessTokenConfig(tenant.BaseUrl, token), "--catalog", _sync.Files.Catalog(["users"]), "--state", _sync.Files.StateFrom(first)];

        var withoutScope = await ConnectorRun.InvokeAsync(args);

        withoutScope.AssertComplete("users");
        Assert.Contains("read:logs", Assert.Single(withoutScope.Warnings), StringComparison.Ordinal);
        Assert.Empty(Deletions(withoutScope));
        Assert.DoesNotContain(withoutScope.Records("users"), r => deleted.ContainsKey(r.GetProperty("user_id").GetString()!));
        Assert.Equal(saved, FinalState(withoutScope).GetProperty("deletions").GetRawText());

        // Granted again: the deletion made meanwhile is not lost.
        var withScope = await _sync.SyncAsync(tenant, withoutScope);
        Assert.Equal(deleted.Keys, Deletions(withScope).Select(d => d.GetProperty("user_id").GetString()!));
    }

    [Fact]
    public async Task Read_LogNoLongerReachesTheCheckpoint_WarnsNamingTheGapAndGoesOn()
    {
        using var tenant = Start();
        var first = await _sync.SyncAsync(tenant);
        var checkpoint = FinalState(first).GetProperty("deletions");
        var lost = Delete(tenant, [tenant.UserIds[20]]);
        var lastLost = tenant.Logs[^1];
        // Retention: everything up to the lost deletion ages out, the checkpoint with it.
        tenant.AppendLogs(5, TimeSpan.FromMinutes(5));
        var cutoff = DateTimeOffset.Parse((string)lastLost["date"]!, System.Globalization.CultureInfo.InvariantCulture).AddSeconds(1);
        Assert.True(tenant.ExpireLogsBefore(cutoff) > 0);
        var kept = Delete(tenant, [tenant.UserIds[30]]);

        var second = await _sync.SyncAsync(tenant, first);

        second.AssertComplete("users");
        var warning = Assert.Single(second.Warnings);
        Assert.Contains(checkpoint.GetProperty("log_id").GetString()!, warning, StringComparison.Ordinal);
        Assert.Contains(checkpoint.GetProperty("date").GetString()!, warning, StringComparison.Ordinal);
        Assert.Contains((string)tenant.Logs[0]["date"]!, warning, StringComparison.Ordinal);
        Assert.Contains("users full refresh", warning, StringComparison.Ordinal);
        Assert.Equal(kept.Keys, Deletions(second).Select(d => d.GetProperty("user_id").GetString()!));
        Assert.DoesNotContain(second.Records("users"), r => lost.ContainsKey(r.GetProperty("user_id").GetString()!));
        Assert.Equal(tenant.LogIds[^1], FinalState(second).GetProperty("deletions").GetProperty("log_id").GetString());

        // The gap is told once: the next sync reads on quietly.
        var third = await _sync.SyncAsync(tenant, second);
        third.AssertComplete("users");
        Assert.Empty(third.Warnings);
    }

    [Fact]
    public async Task Read_DeletionsPositionAfterTheNewestEvent_WarnsKeepsItAndReadsTheUsers()
    {
        using var tenant = Start();
        Delete(tenant, [tenant.UserIds[5]]);
        var foreign = "9" + new string('0', tenant.LogIds[^1].Length);

        var run = await _sync.SyncAsync(tenant, state: _sync.UsersStateFile("{\"deletions\": {\"log_id\": \"" + foreign + "\"}}"));

        run.AssertComplete("users");
        var warning = Assert.Single(run.Warnings);
        Assert.Contains(foreign, warning, StringComparison.Ordinal);
        Assert.Contains("remove 'deletions'", warning, StringComparison.Ordinal);
        Assert.Empty(Deletions(run));
        Assert.Equal(199, run.Records("users").Count());
        Assert.Equal(foreign, FinalState(run).GetProperty("deletions").GetProperty("log_id").GetString());
    }

    public void Dispose() => _sync.Dispose();
}
