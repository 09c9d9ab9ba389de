namespace Auth0Connector.Http;

/// <summary>
/// Adds up the wall-clock time requests spend waiting for the tenant's rate limit (the rate gate's
/// pauses and the waits before retrying a 429) and, once they reach a second, reports them to the
/// attached listener (read turns that into a RATE_LIMITED stream status and a LOG line).
/// </summary>
internal sealed class ThrottleMonitor(TimeProvider time)
{
    private static readonly TimeSpan ReportThreshold = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(10);
    private readonly Lock _gate = new();
    private Action<TimeSpan, DateTimeOffset>? _report;
    private TimeSpan _unreported;
    private TimeSpan _total;
    private DateTimeOffset _lastReport = DateTimeOffset.MinValue;
    private DateTimeOffset _coveredUntil = DateTimeOffset.MinValue;

    /// <summary>Total time spent waiting for the rate limit so far.</summary>
    public TimeSpan TotalWait
    {
        get
        {
            lock (_gate)
            {
                return _total;
            }
        }
    }

    /// <summary>
    /// Routes reports (time waited since the last one, when the quota resets) to <paramref name="report"/>:
    /// read attaches one per stream, as it runs one stream at a time.
    /// </summary>
    public void Attach(Action<TimeSpan, DateTimeOffset>? report)
    {
        lock (_gate)
        {
            _report = report;
            _unreported = TimeSpan.Zero;
        }
    }

    /// <summary>A request has just waited <paramref name="wait"/> (the rate gate's pause).</summary>
    public void Waited(TimeSpan wait, DateTimeOffset? quotaReset)
    {
        var now = time.GetUtcNow();
        Add(now - wait, now, quotaReset);
    }

    /// <summary>A request is about to wait <paramref name="wait"/> (before retrying a 429).</summary>
    public void WillWait(TimeSpan wait, DateTimeOffset? quotaReset)
    {
        var now = time.GetUtcNow();
        Add(now, now + wait, quotaReset);
    }

    /// <summary>
    /// Counts wall-clock time: requests waiting side by side (concurrent users ranges, members of
    /// several organizations) wait through the same seconds, which count once.
    /// </summary>
    private void Add(DateTimeOffset from, DateTimeOffset to, DateTimeOffset? quotaReset)
    {
        Action<TimeSpan, DateTimeOffset>? report;
        TimeSpan unreported;
        TimeSpan wait;
        lock (_gate)
        {
            var start = from > _coveredUntil ? from : _coveredUntil;
            if (to <= start)
            {
                return;
            }

            wait = to - start;
            _coveredUntil = to;
            _total += wait;
            _unreported += wait;
            var now = time.GetUtcNow();
            if (_report is null || _unreported < ReportThreshold || now - _lastReport < MinimumInterval)
            {
                return;
            }

            (report, unreported) = (_report, _unreported);
            _unreported = TimeSpan.Zero;
            _lastReport = now;
        }

        report(unreported, quotaReset ?? time.GetUtcNow() + wait);
    }
}
