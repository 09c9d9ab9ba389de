namespace Auth0Connector.Http;

/// <summary>
/// Adds up the wall-clock time requests spend waiting for the tenant's rate limit (the rate gate's pauses and the
/// waits before retrying a 429): in all, for the summary, and for the <see cref="RequestScope"/> of the work that
/// waited, which reports them once they reach a second (read turns that into a RATE_LIMITED stream status and a
/// LOG line for that stream).
/// </summary>
internal sealed class ThrottleMonitor(TimeProvider time)
{
    private readonly Lock _gate = new();
    private TimeSpan _total;
    private DateTimeOffset _coveredUntil = DateTimeOffset.MinValue;

    /// <summary>Total time spent waiting for the rate limit so far (requests waiting side by side count once).</summary>
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

    private void Add(DateTimeOffset from, DateTimeOffset to, DateTimeOffset? quotaReset)
    {
        if (to <= from)
        {
            return;
        }

        lock (_gate)
        {
            var start = from > _coveredUntil ? from : _coveredUntil;
            if (to > start)
            {
                _total += to - start;
                _coveredUntil = to;
            }
        }

        var now = time.GetUtcNow();
        RequestScope.Current?.AddWait(from, to, now, quotaReset ?? to);
    }
}
