using Auth0Connector.Cli;
using Microsoft.Extensions.Time.Testing;

namespace Auth0Connector.Tests.Cli;

public class SyncProgressTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly StringWriter _stderr = new();
    private long _requests;
    private TimeSpan _waited;

    private SyncProgress Progress(bool live) => new(_stderr, live, _time, () => _requests, () => _waited);

    [Fact]
    public void WriteSummary_EveryStreamOfTheCatalog_NamedWithStatusRecordsRequestsAndDuration()
    {
        using var progress = Progress(live: false);
        var clients = progress.Start("clients", null);
        clients.Record();
        clients.Record();
        _requests += 3;
        _time.Advance(TimeSpan.FromSeconds(2));
        progress.End(clients, "COMPLETE");
        var users = progress.Start("users", null);
        _requests += 1;
        _waited += TimeSpan.FromSeconds(1.5);
        progress.End(users, "INCOMPLETE");

        progress.WriteSummary(["clients", "users", "organizations"]);

        var lines = _stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("read: 1 of 3 streams complete", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"^\s+clients\s+COMPLETE\s+2\s+-\s+3\s+0\.0 s\s+2\.0 s$", lines[2]);
        Assert.Matches(@"^\s+users\s+INCOMPLETE\s+0\s+-\s+1\s+1\.5 s\s+0\.0 s$", lines[3]);
        Assert.Matches(@"^\s+organizations\s+SKIPPED\s+0\s+-\s+0", lines[4]);
        Assert.Contains("TRACE ERROR", lines[5], StringComparison.Ordinal);
    }

    [Fact]
    public void Start_OnATerminal_RedrawsTheRunningStreamEverySecond()
    {
        using var progress = Progress(live: true);
        var users = progress.Start("users", null);
        for (var i = 0; i < 500; i++)
        {
            users.Record();
        }

        _requests = 5;
        _time.Advance(TimeSpan.FromSeconds(1));
        var first = _stderr.ToString();
        for (var i = 0; i < 500; i++)
        {
            users.Record();
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        var second = _stderr.ToString()[first.Length..];

        Assert.Contains("users: 500 records (500/s), 5 requests", first, StringComparison.Ordinal);
        Assert.StartsWith("\r", second, StringComparison.Ordinal);
        Assert.Contains("users: 1,000 records (500/s)", second, StringComparison.Ordinal);

        progress.End(users, "COMPLETE");
        Assert.EndsWith("\r\u001b[K", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Start_NotATerminal_DrawsNothingUntilTheSummary()
    {
        using var progress = Progress(live: false);
        var users = progress.Start("users", null);
        users.Record();
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Empty(_stderr.ToString());
    }

    [Fact]
    public void LiveLine_WorkWaitingOnAnExportJob_ShowsTheJobsProgress()
    {
        using var progress = Progress(live: true);
        var scope = new Auth0Connector.Http.RequestScope();
        var users = progress.Start("users", scope);
        var clients = progress.Start("clients", new Auth0Connector.Http.RequestScope());

        scope.Note = "export job processing, 45 % done, about 12 min left";
        _time.Advance(TimeSpan.FromSeconds(1));
        var waiting = _stderr.ToString();
        scope.Note = null;
        progress.End(clients, "COMPLETE");
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Contains("users 0 (export job processing, 45 % done, about 12 min left)", waiting, StringComparison.Ordinal);
        Assert.EndsWith("s", progress.LiveLine(users), StringComparison.Ordinal);
        Assert.DoesNotContain("export job", _stderr.ToString()[waiting.Length..], StringComparison.Ordinal);
    }
}
