using System.Text.Json.Nodes;
using Auth0Connector.FakeTenant;
using Auth0Connector.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Auth0Connector.Tests.Streams;

/// <summary>
/// stats_daily: one request for a range of days; incremental on <c>date</c>, each sync re-reading the last saved day
/// (today's row keeps changing). The tenant and the connector share one fake clock, so "today" is fixed.
/// </summary>
public class StatsDailyStreamTests : IDisposable
{
    private const string Path = "/api/v2/stats/daily";

    private readonly TempFiles _files = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 2, 10, 15, 30, 0, TimeSpan.Zero));

    private FakeTenant.FakeTenant Tenant(int days = 40) =>
        FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 10, Organizations = 0, DailyStatsDays = days, Time = _time });

    private Task<ConnectorRun> ReadAsync(FakeTenant.FakeTenant tenant, bool incremental, string? state = null, string extra = "")
    {
        string[] args = ["read", "--config", _files.ClientCredentialsConfig(tenant, extra), "--catalog", _files.Catalog("stats_daily", incremental)];
        return ConnectorRun.InvokeAsync(state is null ? args : [.. args, "--state", state], _time);
    }

    private static string SavedDay(ConnectorRun run) =>
        run.States("stats_daily").Last().GetProperty("stream").GetProperty("stream_state").GetProperty("date").GetString()!;

    private static List<string> Days(ConnectorRun run) => [.. run.Records("stats_daily").Select(r => r.GetProperty("date").GetString()!)];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Read_WithoutState_EveryDayOnceAscendingAskedWithoutFrom(bool incremental)
    {
        using var tenant = Tenant();

        var run = await ReadAsync(tenant, incremental);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses("stats_daily"));
        StreamChecks.AssertExactly(run, "stats_daily", tenant.DailyStats, "date");
        Assert.Equal(tenant.DailyStats.Select(r => (string)r["date"]!), Days(run));
        Assert.InRange(tenant.DailyStats.Count, 10, 39); // sparse: days without activity have no row
        Assert.Contains(tenant.DailyStats, r => !r.ContainsKey("leaked_passwords_signup"));
        Assert.Equal([string.Empty], StreamChecks.QueriesTo(tenant, Path));
        Assert.Equal("2025-02-10T00:00:00.000Z", SavedDay(run));
        Assert.Single(run.States("stats_daily"));
    }

    [Fact]
    public async Task Read_FullRefreshWithStartDate_AsksFromTheStartDay()
    {
        using var tenant = Tenant();

        var run = await ReadAsync(tenant, incremental: false, extra: """, "start_date": "2025-01-20T13:45:00.000Z" """);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["from=20250120"], StreamChecks.QueriesTo(tenant, Path));
        var expected = tenant.DailyStats.Where(r => string.CompareOrdinal((string)r["date"]!, "2025-01-20") >= 0).ToList();
        Assert.NotEmpty(expected);
        StreamChecks.AssertExactly(run, "stats_daily", expected, "date");
    }

    [Fact]
    public async Task Read_IncrementalTwice_SecondRereadsTheLastDayAndGetsTheNewDaysNoneLost()
    {
        using var tenant = Tenant();
        var first = await ReadAsync(tenant, incremental: true);
        Assert.Equal("2025-02-10T00:00:00.000Z", SavedDay(first));
        var todayBefore = tenant.DailyStats[^1].DeepClone();

        // Today goes on after the first sync; two more days pass with activity.
        _time.Advance(TimeSpan.FromHours(6));
        tenant.RecordDailyActivity(new DateOnly(2025, 2, 10), logins: 5, signups: 1);
        _time.Advance(TimeSpan.FromDays(1));
        tenant.RecordDailyActivity(new DateOnly(2025, 2, 11), logins: 7);
        _time.Advance(TimeSpan.FromDays(1));
        tenant.RecordDailyActivity(new DateOnly(2025, 2, 12), logins: 3);
        var second = await ReadAsync(tenant, incremental: true, state: _files.StateFrom(first));

        Assert.Equal(0, second.ExitCode);
        Assert.Equal(["", "from=20250210"], StreamChecks.QueriesTo(tenant, Path));
        Assert.Equal(["2025-02-10T00:00:00.000Z", "2025-02-11T00:00:00.000Z", "2025-02-12T00:00:00.000Z"], Days(second));
        var changed = second.Records("stats_daily").First();
        Assert.Equal((int)todayBefore["logins"]! + 5, changed.GetProperty("logins").GetInt32());
        Assert.NotEqual((string)todayBefore["updated_at"]!, changed.GetProperty("updated_at").GetString());
        Assert.Equal("2025-02-12T00:00:00.000Z", SavedDay(second));

        // What a destination deduplicating on date ends with: every row, each in its latest version.
        var merged = first.Records("stats_daily").Concat(second.Records("stats_daily"))
            .GroupBy(r => r.GetProperty("date").GetString()).Select(g => JsonNode.Parse(g.Last().GetRawText())).ToList();
        Assert.Equal(tenant.DailyStats.Count, merged.Count);
        Assert.All(tenant.DailyStats.Zip(merged), pair => Assert.True(JsonNode.DeepEquals(pair.First, pair.Second), $"{pair.First["date"]}: not its latest version"));
    }

    [Fact]
    public async Task Read_RowDatedAfterToday_DeliveredButTheCursorStaysOnToday()
    {
        using var tenant = Tenant(days: 5);
        tenant.RecordDailyActivity(new DateOnly(2025, 2, 13), logins: 1);

        var run = await ReadAsync(tenant, incremental: true);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("2025-02-13T00:00:00.000Z", Days(run)[^1]);
        Assert.Equal("2025-02-10T00:00:00.000Z", SavedDay(run));
    }

    [Fact]
    public async Task Read_RowsWithoutAUsableDate_DeliveredAndTheCursorFollowsTheOthers()
    {
        using var tenant = Tenant();
        tenant.Server.Given(Request.Create().WithPath(Path).UsingGet()).RespondWith(Response.Create().WithStatusCode(200)
            .WithHeader("Content-Type", "application/json")
            .WithBody("""[{"date":"2025-02-03T00:00:00.000Z","logins":1},{"logins":2},{"date":"not a day","logins":3},{"date":null,"logins":4}]"""));

        var run = await ReadAsync(tenant, incremental: true);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal([1, 2, 3, 4], run.Records("stats_daily").Select(r => r.GetProperty("logins").GetInt32()));
        Assert.Equal("2025-02-03T00:00:00.000Z", SavedDay(run));
    }

    [Theory]
    [InlineData("\"yesterday\"")]
    [InlineData("42")]
    public async Task Read_StateWithAMalformedDate_ConfigErrorNamingTheStreamBeforeAnyRequest(string date)
    {
        using var tenant = Tenant();
        var state = _files.Write($"state-{Guid.NewGuid():N}.json", """[{"type": "STREAM", "stream": {"stream_descriptor": {"name": "stats_daily"}, "stream_state": {"date": DATE}}}]""".Replace("DATE", date, StringComparison.Ordinal));

        var run = await ReadAsync(tenant, incremental: true, state);

        Assert.Equal(1, run.ExitCode);
        var error = Assert.Single(run.Errors);
        Assert.Equal("config_error", error.GetProperty("failure_type").GetString());
        Assert.Contains("stats_daily", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(StreamChecks.QueriesTo(tenant, Path));
    }

    /// <summary>A day after the sync's (2025-02-10): no request, no record, a WARN saying how to reset, the state unchanged, exit 0.</summary>
    [Theory]
    [InlineData("2025-02-11T00:00:00.000Z")]
    [InlineData("3021-01-01T00:00:00.000Z")]
    public async Task Read_StateOfADayAfterTheSyncStart_ReadsNothingWarnsAndKeepsTheState(string date)
    {
        using var tenant = Tenant();
        var state = _files.Write($"state-{Guid.NewGuid():N}.json", """
            [{"type": "STREAM", "stream": {"stream_descriptor": {"name": "stats_daily"}, "stream_state": {"date": "DATE"}}}]
            """.Replace("DATE", date, StringComparison.Ordinal));

        var run = await ReadAsync(tenant, incremental: true, state);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses("stats_daily"));
        Assert.Empty(run.Records("stats_daily"));
        Assert.Empty(StreamChecks.QueriesTo(tenant, Path));
        Assert.Equal($$"""{"date":"{{date}}"}""", Assert.Single(run.States("stats_daily")).GetProperty("stream").GetProperty("stream_state").GetRawText());
        StreamChecks.AssertFutureStateWarning(run, "stats_daily", date);
    }

    [Fact]
    public async Task Read_StateOfADayBefore2000_ReadsFromThatDay()
    {
        using var tenant = Tenant();
        var state = _files.Write($"state-{Guid.NewGuid():N}.json", """
            [{"type": "STREAM", "stream": {"stream_descriptor": {"name": "stats_daily"}, "stream_state": {"date": "1999-12-31T00:00:00.000Z"}}}]
            """);

        var run = await ReadAsync(tenant, incremental: true, state);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["from=19991231"], StreamChecks.QueriesTo(tenant, Path));
        StreamChecks.AssertExactly(run, "stats_daily", tenant.DailyStats, "date");
        Assert.Equal("2025-02-10T00:00:00.000Z", SavedDay(run));
    }

    [Fact]
    public async Task Read_StateOfTheDayBefore_ReadsFromThatDay()
    {
        using var tenant = Tenant();
        var state = _files.Write($"state-{Guid.NewGuid():N}.json", """
            [{"type": "STREAM", "stream": {"stream_descriptor": {"name": "stats_daily"}, "stream_state": {"date": "2025-02-09T00:00:00.000Z"}}}]
            """);

        var run = await ReadAsync(tenant, incremental: true, state);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["from=20250209"], StreamChecks.QueriesTo(tenant, Path));
        StreamChecks.AssertExactly(run, "stats_daily", [.. tenant.DailyStats.Where(r => string.CompareOrdinal((string)r["date"]!, "2025-02-09") >= 0)], "date");
        Assert.Equal("2025-02-10T00:00:00.000Z", SavedDay(run));
    }

    [Fact]
    public Task Read_WithoutReadStats_OnlyThisStreamIncompleteNamingTheScope() =>
        StreamChecks.AssertMissingScopeFailsOnlyTheStreamAsync("stats_daily", "read:stats");

    [Fact]
    public Task Check_WithAndWithoutStats_ProbesOnceAndNamesTheMissingScope() =>
        StreamChecks.AssertCheckProbesTheStreamAsync("stats_daily", "read:stats", "/api/v2/stats/daily");

    public void Dispose() => _files.Dispose();
}
