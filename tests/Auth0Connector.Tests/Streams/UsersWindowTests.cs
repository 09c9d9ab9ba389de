using System.Text.Json;
using Auth0Connector.Tests.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Auth0Connector.Tests.Streams;

/// <summary>A users search that ignores its query, users from the future, users without updated_at.</summary>
public class UsersWindowTests : IDisposable
{
    private readonly TempFiles _files = new();
    private readonly WireMockServer _tenant = WireMockServer.Start();

    /// <summary>Every search answers <paramref name="usersJson"/>, saying it holds <paramref name="total"/> (more than 2: the walk goes on).</summary>
    private void AnswerEverySearchWith(string usersJson, int total = 2) =>
        _tenant.Given(Request.Create().WithPath("/api/v2/users")).AtPriority(10).RespondWith(Response.Create().WithStatusCode(200)
            .WithHeader("Content-Type", "application/json").WithBody(Envelope(usersJson, total)));

    /// <summary>Two users per page, one range (a count of 5,000 would otherwise be cut into ranges).</summary>
    private const string OneRange = """, "page_size": 2, "max_concurrency": 1""";

    private static string Envelope(string usersJson, int total) => $$"""{"users":{{usersJson}},"total":{{total}},"start":0,"limit":50}""";

    private Task<ConnectorRun> ReadUsersAsync(string extra = "") =>
        ConnectorRun.InvokeAsync(["read", "--config", _files.Write($"config-{Guid.NewGuid():N}.json", $$$"""
            {"base_url":"{{{_tenant.Url}}}","max_retries":0,"lookback_window_seconds":0{{{extra}}},"credentials":{"auth_type":"oauth2_access_token","access_token":"tok-users-123456"}}
            """), "--streams", "users"]);

    private static string FinalCursor(ConnectorRun run) =>
        run.States("users").Last().GetProperty("stream").GetProperty("stream_state").GetProperty("updated_at").GetString()!;

    [Fact]
    public async Task Users_SearchIgnoresItsQuery_FailsInsteadOfLooping()
    {
        AnswerEverySearchWith("""[{"user_id":"u1","updated_at":"2024-01-01T00:00:00.000Z"},{"user_id":"u2","updated_at":"2024-02-01T00:00:00.000Z"}]""", total: 5_000);

        var run = await ReadUsersAsync(OneRange);

        Assert.Equal(1, run.ExitCode);
        // The guard sees the same page again (or, were the pages to differ, users before the position).
        Assert.Matches("same page twice|not honouring its query", Assert.Single(run.Errors).GetProperty("message").GetString());
        Assert.InRange(_tenant.LogEntries.Count(), 2, 5);
    }

    [Fact]
    public async Task Users_SearchAnswersUsersBeforeThePosition_FailsNamingTheQuery()
    {
        // Each answer differs (so no page repeats), but the second goes back before the first's end.
        AnswerEverySearchWith("""[{"user_id":"u1","updated_at":"2024-01-01T00:00:00.000Z"},{"user_id":"u2","updated_at":"2024-02-01T00:00:00.000Z"}]""", total: 5_000);
        // The walk's pages (2 per page; the counts ask 1), each saying more remain.
        _tenant.Given(Request.Create().WithPath("/api/v2/users").WithParam("per_page", "2")).InScenario("walk").WillSetStateTo("second")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody(Envelope("""[{"user_id":"u1","updated_at":"2024-01-01T00:00:00.000Z"},{"user_id":"u2","updated_at":"2024-02-01T00:00:00.000Z"}]""", 5_000)));
        _tenant.Given(Request.Create().WithPath("/api/v2/users").WithParam("per_page", "2")).InScenario("walk").WhenStateIs("second")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody(Envelope("""[{"user_id":"u0","updated_at":"2023-06-01T00:00:00.000Z"},{"user_id":"u3","updated_at":"2024-03-01T00:00:00.000Z"}]""", 5_000)));

        var run = await ReadUsersAsync(OneRange);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("not honouring its query", Assert.Single(run.Errors).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Users_OneStampedIn2099_DeliveredButTheCursorStaysAtTheSyncStart()
    {
        AnswerEverySearchWith("""[{"user_id":"u1","updated_at":"2024-01-01T00:00:00.000Z"},{"user_id":"u2","updated_at":"2099-01-01T00:00:00.000Z"}]""");
        var started = DateTimeOffset.UtcNow;

        var run = await ReadUsersAsync();

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["u1", "u2"], run.Records("users").Select(u => u.GetProperty("user_id").GetString()));
        var cursor = DateTimeOffset.Parse(FinalCursor(run), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(cursor <= started.AddMinutes(1), $"the cursor moved to {cursor:O}");
    }

    [Fact]
    public async Task Users_OneWithoutUpdatedAt_DeliveredWithAWarning()
    {
        AnswerEverySearchWith("""[{"user_id":"u1","updated_at":"2024-01-01T00:00:00.000Z"},{"user_id":"u2"}]""");

        var run = await ReadUsersAsync();

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(2, run.Records("users").Count());
        Assert.Contains(run.OfType("LOG").Select(l => l.GetProperty("log")),
            l => l.GetProperty("level").GetString() == "WARN" && l.GetProperty("message").GetString()!.Contains("without a valid updated_at", StringComparison.Ordinal));
        Assert.Equal("2024-01-01T00:00:00.000Z", FinalCursor(run));
    }

    [Fact]
    public async Task Users_FullPageWithoutUpdatedAt_FailsLoudlyRatherThanCompleting()
    {
        AnswerEverySearchWith("""[{"user_id":"u1"},{"user_id":"u2"}]""", total: 5_000);

        var run = await ReadUsersAsync(OneRange);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("INCOMPLETE", run.Statuses("users").Last());
        Assert.Contains("no usable updated_at", Assert.Single(run.Errors).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _tenant.Stop();
        _files.Dispose();
    }
}
