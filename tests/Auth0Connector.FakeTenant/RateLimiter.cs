namespace Auth0Connector.FakeTenant;

/// <summary>What the limiter decided for one request, and the x-ratelimit-* values to send with it.</summary>
internal readonly record struct RateLimitDecision(bool Allowed, int Limit, int Remaining, long ResetEpochSeconds, int RetryAfterSeconds)
{
    public IEnumerable<KeyValuePair<string, string>> Headers(bool withRetryAfter)
    {
        yield return new("x-ratelimit-limit", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return new("x-ratelimit-remaining", Remaining.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return new("x-ratelimit-reset", ResetEpochSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (withRetryAfter && !Allowed)
        {
            yield return new("Retry-After", RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}

/// <summary>
/// The tenant's global token bucket, shared by every API request: <c>capacity</c> requests, refilled continuously at
/// <c>refillPerSecond</c>, on the options' clock. A request takes one whole token; with less than one the answer is
/// 429 and nothing is taken. <c>x-ratelimit-remaining</c> is the whole tokens left after the request,
/// <c>x-ratelimit-reset</c> the epoch second (rounded up) at which the next whole token is there (now, when full).
/// Without a capacity it never refuses and reports a 50-request bucket that is never drained.
/// </summary>
/// <remarks>
/// Exact arithmetic: the level is kept in integer units of 1e-13 token (refill rate rounded to a micro-token per
/// second, time in 100 ns ticks), so no floating-point error accumulates over many requests: with 16/s, after
/// exactly 62.5 ms the bucket has gained exactly one token.
/// </remarks>
internal sealed class RateLimiter
{
    private const int UnlimitedReportedLimit = 50;

    /// <summary>Units per token: (micro-tokens per second) × (ticks per second).</summary>
    private static readonly Int128 One = (Int128)1_000_000 * TimeSpan.TicksPerSecond;

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly int? _capacity;
    private readonly Int128 _full;

    /// <summary>Refill in micro-tokens per second = units gained per elapsed tick.</summary>
    private readonly long _refillMicro;
    private Int128 _level;
    private long _lastTicks;

    public RateLimiter(TimeProvider time, int? capacity, double refillPerSecond)
    {
        _time = time;
        _capacity = capacity is null ? null : Math.Max(0, capacity.Value);
        _refillMicro = refillPerSecond > 0 ? (long)Math.Round(Math.Min(refillPerSecond, 1e9) * 1_000_000) : 0;
        _full = (_capacity ?? 0) * One;
        _level = _full;
        _lastTicks = time.GetUtcNow().UtcTicks;
    }

    public RateLimitDecision Take()
    {
        var now = _time.GetUtcNow();
        long nowTicks = now.UtcTicks;
        if (_capacity is not int capacity)
        {
            return new RateLimitDecision(true, UnlimitedReportedLimit, UnlimitedReportedLimit - 1, CeilingSeconds(nowTicks + TimeSpan.TicksPerSecond), 0);
        }

        lock (_gate)
        {
            long elapsed = Math.Max(0, nowTicks - _lastTicks);
            _lastTicks = Math.Max(nowTicks, _lastTicks);
            if (_refillMicro > 0 && _level < _full)
            {
                _level = Int128.Min(_full, _level + ((Int128)elapsed * _refillMicro));
            }

            bool allowed = _level >= One;
            if (allowed)
            {
                _level -= One;
            }

            int remaining = (int)(_level / One);

            // When the bucket next holds one more whole token than now (now, when it is full).
            long resetTicks;
            if (_level >= _full)
            {
                resetTicks = nowTicks;
            }
            else if (_refillMicro == 0)
            {
                resetTicks = nowTicks + TimeSpan.TicksPerDay;
            }
            else
            {
                Int128 missing = One - (_level % One);
                long ticks = (long)((missing + _refillMicro - 1) / _refillMicro);
                resetTicks = nowTicks + ticks;
            }

            long reset = CeilingSeconds(resetTicks);
            int retryAfter = (int)Math.Max(1, reset - now.ToUnixTimeSeconds());
            return new RateLimitDecision(allowed, capacity, remaining, reset, retryAfter);
        }
    }

    /// <summary>UNIX epoch seconds of a UTC tick count, rounded up.</summary>
    private static long CeilingSeconds(long utcTicks)
    {
        long sinceEpoch = utcTicks - DateTime.UnixEpoch.Ticks;
        return (sinceEpoch + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;
    }
}
