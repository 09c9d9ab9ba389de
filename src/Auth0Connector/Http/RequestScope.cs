namespace Auth0Connector.Http;

/// <summary>
/// What one unit of work (a stream, or streams read from one walk) costs in requests and rate-limit waits, and who
/// is told of its waits, when several are read side by side: the scope flows with the work's async calls
/// (<see cref="AsyncLocal{T}"/>), into its parallel readers too, so every request of it counts here.
/// </summary>
internal sealed class RequestScope
{
    private static readonly AsyncLocal<RequestScope?> Ambient = new();
    private static readonly TimeSpan ReportThreshold = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(10);
    private readonly Lock _gate = new();
    private long _requests;
    private TimeSpan _waited;
    private TimeSpan _unreported;
    private DateTimeOffset _coveredUntil = DateTimeOffset.MinValue;
    private DateTimeOffset _lastReport = DateTimeOffset.MinValue;
    private Action<TimeSpan, DateTimeOffset>? _report;
    private string? _note;

    /// <summary>The scope of the running work, if any.</summary>
    public static RequestScope? Current
    {
        get => Ambient.Value;
        set => Ambient.Value = value;
    }

    /// <summary>Requests sent on its behalf (every attempt, token requests included).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Wall-clock time its requests waited for the tenant's rate limits.</summary>
    public TimeSpan Waited
    {
        get
        {
            lock (_gate)
            {
                return _waited;
            }
        }
    }

    public void AddRequest() => Interlocked.Increment(ref _requests);

    /// <summary>What the work is waiting on besides requests, for the terminal's live line (a users export job's progress, say); null: nothing.</summary>
    public string? Note
    {
        get => Volatile.Read(ref _note);
        set => Volatile.Write(ref _note, value);
    }

    /// <summary>
    /// From now on, waits that add up to a second are reported (time waited since the last report, when the quota
    /// resets), at most every 10 s; waits before this call are reported with the first report after it.
    /// </summary>
    public void ReportTo(Action<TimeSpan, DateTimeOffset> report)
    {
        lock (_gate)
        {
            _report = report;
        }
    }

    /// <summary>Its requests waited from <paramref name="from"/> to <paramref name="to"/> (concurrent waits count once).</summary>
    public void AddWait(DateTimeOffset from, DateTimeOffset to, DateTimeOffset now, DateTimeOffset quotaReset)
    {
        Action<TimeSpan, DateTimeOffset>? report;
        TimeSpan unreported;
        lock (_gate)
        {
            var start = from > _coveredUntil ? from : _coveredUntil;
            if (to <= start)
            {
                return;
            }

            _coveredUntil = to;
            _waited += to - start;
            _unreported += to - start;
            if (_report is null || _unreported < ReportThreshold || now - _lastReport < MinimumInterval)
            {
                return;
            }

            (report, unreported) = (_report, _unreported);
            _unreported = TimeSpan.Zero;
            _lastReport = now;
        }

        report(unreported, quotaReset);
    }
}
