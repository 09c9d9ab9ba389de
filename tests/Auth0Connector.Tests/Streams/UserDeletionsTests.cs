using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Auth0Connector.FakeTenant;
using Auth0Connector.Protocol;
using Auth0Connector.Tests.Support;
using static Auth0Connector.Tests.Support.DeletionSyncs;
using Json.Schema;

namespace Auth0Connector.Tests.Streams;

/// <summary>
/// Users deleted in Auth0 leave the warehouse: incremental users syncs against the fake tenant, whose
/// <c>DELETE /api/v2/users/{id}</c> logs a <c>sdu</c> and a <c>sapi</c> as Auth0 does, emit one deletion record per
/// deleted user (<c>user_id</c>, <c>updated_at</c> = <c>_ab_cdc_deleted_at</c> = the deletion's time), once, from the
/// tenant log. Every output passes the protocol validator (<see cref="ConnectorRun.InvokeAsync"/>).
/// </summary>
public class UserDeletionsTests : IDisposable
{
    private readonly DeletionSyncs _sync = new();

    private static void AssertDeletionRecords(Dictionary<string, string> expected, IReadOnlyList<JsonElement> records)
    {
        Assert.Equal(expected.Keys.Order(), records.Select(r => r.GetProperty("user_id").GetString()!).Order());
        var schema = JsonSchema.FromText(Encoding.UTF8.GetString(EmbeddedSchemas.Read("users")));
        foreach (var record in records)
        {
            var time = expected[record.GetProperty("user_id").GetString()!];
            Assert.Equal(["user_id", "updated_at", "_ab_cdc_deleted_at"], record.EnumerateObject().Select(p => p.Name));
            Assert.Equal(time, record.GetProperty("updated_at").GetString());
            Assert.Equal(time, record.GetProperty("_ab_cdc_deleted_at").GetString());
            Assert.True(schema.Evaluate(record, new EvaluationOptions { RequireFormatValidation = true }).IsValid, record.GetRawText());
        }
    }

    [Fact]
    public async Task Read_UsersDeletedBetweenIncrementalSyncs_EachEmittedOnceWithItsDeletionTime()
    {
        using var tenant = Start();
        var first = await _sync.SyncAsync(tenant);
        first.AssertComplete("users");
        Assert.Empty(Deletions(first));
        Assert.Equal(tenant.LogIds[^1], FinalState(first).GetProperty("deletions").GetProperty("log_id").GetString());

        var deleted = Delete(tenant, tenant.UserIds.Skip(10).Take(3));
        var second = await _sync.SyncAsync(tenant, first);

        second.AssertComplete("users");
        AssertDeletionRecords(deleted, Deletions(second));
        // They come first, and the STATE after them covers them: the deletions position is the log's newest event.
        Assert.All(second.Records("users").Take(3), r => Assert.True(r.TryGetProperty("_ab_cdc_deleted_at", out _)));
        Assert.Equal(tenant.LogIds[^1], FinalState(second).GetProperty("deletions").GetProperty("log_id").GetString());
        Assert.True(FinalState(second).TryGetProperty("updated_at", out _));
        Assert.Contains("users: 3 of its records are deletions", second.Stderr, StringComparison.Ordinal);
        Assert.Contains(second.OfType("LOG"), l => l.GetProperty("log").GetProperty("message").GetString()!.Contains("(3 of them deletions)", StringComparison.Ordinal));

        var third = await _sync.SyncAsync(tenant, second);
        third.AssertComplete("users");
        Assert.Empty(Deletions(third));

        var later = Delete(tenant, [tenant.UserIds[0]]);
        var fourth = await _sync.SyncAsync(tenant, third);
        fourth.AssertComplete("users");
        AssertDeletionRecords(later, Deletions(fourth));
        Assert.DoesNotContain(fourth.Records("users"), r => deleted.ContainsKey(r.GetProperty("user_id").GetString()!));
    }

    [Fact]
    public async Task Read_ManyDeletionsAcrossLogPages_EachUserOnceAtTheCostOfTheLogPages()
    {
        using var tenant = Start(o => o.Users = 400);
        var first = await _sync.SyncAsync(tenant);
        var deleted = Delete(tenant, tenant.UserIds.Where((_, i) => i % 3 == 0).Take(120));
        var logRequestsBefore = LogRequests(tenant);

        // 240 log events at 25 a page: pairs straddle page boundaries, and each user still comes out once.
        var second = await _sync.SyncAsync(tenant, first, """, "page_size": 25""");

        second.AssertComplete("users");
        AssertDeletionRecords(deleted, Deletions(second));
        // One look-up of the checkpoint, then the pages since it (the last one empty): never a request per user.
        Assert.InRange(LogRequests(tenant) - logRequestsBefore, 1 + (240 / 25), 1 + (240 / 25) + 2);
    }

    [Fact]
    public async Task Read_UserDeletedThenCreatedAgain_EndsAsTheRecreatedUser()
    {
        using var tenant = Start();
        var first = await _sync.SyncAsync(tenant);
        var id = tenant.UserIds[42];
        var deletedAt = Delete(tenant, [id])[id];
        tenant.RecreateUser(id, DateTimeOffset.Parse(deletedAt, System.Globalization.CultureInfo.InvariantCulture).AddMinutes(1));

        var second = await _sync.SyncAsync(tenant, first);

        second.AssertComplete("users");
        var ofUser = second.Records("users").Where(r => r.GetProperty("user_id").GetString() == id).ToList();
        Assert.Equal(2, ofUser.Count);
        // The deletion first, then the user as it is now, with a later updated_at: by arrival or by cursor, it ends recreated.
        Assert.Equal(deletedAt, ofUser[0].GetProperty("_ab_cdc_deleted_at").GetString());
        Assert.False(ofUser[1].TryGetProperty("_ab_cdc_deleted_at", out _));
        Assert.True(string.CompareOrdinal(ofUser[1].GetProperty("updated_at").GetString(), deletedAt) > 0);
        Assert.Equal(tenant.Users.Single(u => (string)u["user_id"]! == id).ToJsonString(), JsonNode.Parse(ofUser[1].GetRawText())!.ToJsonString());
    }

    [Fact]
    public async Task Read_FailedDeletionsAndOtherDeletes_EmitNothing()
    {
        using var tenant = Start();
        var first = await _sync.SyncAsync(tenant);
        var ids = tenant.UserIds;
        tenant.FailUserDeletion(ids[1]);
        tenant.FailUserDeletion(ids[2], statusCode: 400);
        tenant.LogApiOperation("delete", $"/api/v2/users/{Uri.EscapeDataString(ids[3])}/roles", 204, "Remove roles from a user");
        tenant.LogApiOperation("delete", $"/api/v2/users/{Uri.EscapeDataString(ids[4])}/multifactor/google-authenticator", 204, "Delete the multifactor provider settings for a user");
        tenant.LogApiOperation("delete", "/api/v2/organizations/org_W9kP2xQ7/members", 204, "Delete members from an organization");
        tenant.LogApiOperation("patch", $"/api/v2/users/{Uri.EscapeDataString(ids[5])}", 200, "Update a user");
        var deleted = Delete(tenant, [ids[6]]);

        var second = await _sync.SyncAsync(tenant, first);

        second.AssertComplete("users");
        AssertDeletionRecords(deleted, Deletions(second));
        Assert.Equal(tenant.LogIds[^1], FinalState(second).GetProperty("deletions").GetProperty("log_id").GetString());
    }

    [Fact]
    public async Task Read_FirstSyncFullRefreshAndSourceAuth0State_EmitNoDeletionsButRecordWhereTheLogStands()
    {
        // The seeded log already holds deletions (LoggedDeletions): none of them is this sync's to emit.
        using var tenant = Start();
        Assert.Contains(tenant.Logs, e => (string)e["type"]! == "sdu");
        var cutoff = tenant.UsersByUpdatedAt[150].UpdatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

        var incremental = await _sync.SyncAsync(tenant);
        var fullRefresh = await _sync.SyncAsync(tenant, fullRefresh: true);
        var fromSourceAuth0 = await _sync.SyncAsync(tenant, state: _sync.UsersStateFile($$"""{"updated_at": "{{cutoff}}"}"""));

        foreach (var run in (ConnectorRun[])[incremental, fullRefresh, fromSourceAuth0])
        {
            run.AssertComplete("users");
            Assert.Empty(Deletions(run));
            Assert.Empty(run.Warnings);
            Assert.Equal(tenant.LogIds[^1], FinalState(run).GetProperty("deletions").GetProperty("log_id").GetString());
        }

        Assert.Equal(200, incremental.Records("users").Count());
        Assert.Equal(200, fullRefresh.Records("users").Count());

        // The next sync starts at that position: the deletion after it, and only that one, comes out.
        var deleted = Delete(tenant, [tenant.UserIds[7]]);
        var next = await _sync.SyncAsync(tenant, fromSourceAuth0);
        AssertDeletionRecords(deleted, Deletions(next));
    }

    private static int LogRequests(FakeTenant.FakeTenant tenant) =>
        tenant.Server.LogEntries.Count(e => e.RequestMessage?.Path?.StartsWith("/api/v2/logs", StringComparison.Ordinal) == true);

    public void Dispose() => _sync.Dispose();
}
