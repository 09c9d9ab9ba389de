using System.Globalization;
using Auth0Connector.FakeTenant;
using Auth0Connector.Streams.Cursors;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Streams;

/// <summary>Auth0's user search answers 503 when a query runs past its time limit: the range is split, never the same query sent again.</summary>
public class UsersSearchTimeoutTests : IDisposable
{
    private readonly TempFiles _files = new();

    private static string Format(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static List<WireMock.Logging.ILogEntry> Searches(FakeTenant.FakeTenant tenant) =>
        tenant.Server.LogEntries.Where(e => e.RequestMessage?.Method == "GET" && e.RequestMessage.Path == "/api/v2/users").ToList();

    [Theory]
    [InlineData(4, false)]
    [InlineData(1, true)]
    public async Task Read_SearchTimesOutOnWideRanges_EveryUserOnceInBoundedRequests(int concurrency, bool incremental)
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 5_000, Organizations = 0, SearchTimeoutMatches = 800 });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant, $", \"max_concurrency\": {concurrency}"), "--catalog", _files.Catalog(["users"], usersFullRefresh: !incremental)]);

        Assert.True(run.ExitCode == 0, string.Join("\n", run.Errors.Select(e => e.GetProperty("message").GetString())));
        var ids = run.Records("users").Select(r => r.GetProperty("user_id").GetString()).ToList();
        Assert.Equal(tenant.UserIds.Order(), ids.Order());
        Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses("users"));
        Assert.Contains(run.OfType("LOG"), l => l.GetProperty("log").GetProperty("message").GetString()!.Contains("reading it in smaller ranges", StringComparison.Ordinal));
        var searches = Searches(tenant);
        var timedOut = searches.Where(e => e.ResponseMessage?.StatusCode is int code && code == 503).ToList();
        Assert.True(tenant.SearchTimeoutCount > 0);
        Assert.Equal(tenant.SearchTimeoutCount, timedOut.Count);
        // A query that timed out is never sent again (max_retries would send it 6 more times).
        Assert.All(timedOut.GroupBy(e => e.RequestMessage!.Url), g => Assert.True(g.Count() == 1, System.Net.WebUtility.UrlDecode(g.Key)));
        // 50 pages of 100 read the users; splitting costs each part about one timed-out query more.
        Assert.InRange(searches.Count, 50, 170);
    }

    [Fact]
    public async Task Read_SearchTimesOutOnOneMillisecond_ErrorNamingTheRange()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 1_000, UsersSharingOneTimestamp = 300, Organizations = 0, SearchTimeoutMatches = 200 });
        var instant = tenant.SharedUpdatedAt!.Value;

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["users", "clients"], usersFullRefresh: true)]);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Equal("INCOMPLETE", run.Statuses("users").Last());
        Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses("clients"));
        var error = Assert.Single(run.Errors);
        var message = error.GetProperty("message").GetString()!;
        Assert.Equal("transient_error", error.GetProperty("failure_type").GetString());
        Assert.Contains($"[{Format(instant)}, {Format(instant.AddMilliseconds(1))})", message, StringComparison.Ordinal);
        Assert.Contains("cannot be split further", message, StringComparison.Ordinal);
        var searches = Searches(tenant);
        Assert.All(searches.Where(e => e.ResponseMessage?.StatusCode is int code && code == 503).GroupBy(e => e.RequestMessage!.Url), g => Assert.Single(g));
        // Halving 2021-2025 (and the epoch before it) down to one millisecond: about 45 levels, each a query or two.
        Assert.InRange(searches.Count, 20, 150);
    }

    [Fact]
    public void Split_Ranges_MiddleAtMillisecondsOrNullForOneMillisecond()
    {
        var from = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal(from.AddHours(12), UsersPlanner.Split(from, from.AddDays(1)));
        Assert.Equal(from.AddMilliseconds(1), UsersPlanner.Split(from, from.AddMilliseconds(3)));
        Assert.Equal(from.AddMilliseconds(1), UsersPlanner.Split(from, from.AddMilliseconds(2)));
        Assert.Null(UsersPlanner.Split(from, from.AddMilliseconds(1)));
        // "From the first user" is split from the Unix epoch.
        Assert.Equal(DateTimeOffset.UnixEpoch + ((from - DateTimeOffset.UnixEpoch) / 2), UsersPlanner.Split(null, from));
    }

    public void Dispose() => _files.Dispose();
}
