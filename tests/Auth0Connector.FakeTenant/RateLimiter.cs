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
/// The tenant's global token bucket: <c>capacity</c> requests, refilled continuously at <c>refillPerSecond</c>,
/// on the options' clock. Without a capacity it never refuses and reports a 50-request bucket that is never drained.
/// </summary>
internal sealed class RateLimiter
{
    private const int UnlimitedReportedLimit = 50;

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly int? _capacity;
    private readonly double _refillPerSecond;
    private double _tokens;
    private DateTimeOffset _last;

    public RateLimiter(TimeProvider time, int? capacity, double refillPerSecond)
    {
        _time = time;
        _capacity = capacity is null ? null : Math.Max(0, capacity.Value);
        _refillPerSecond = refillPerSecond;
        _tokens = _capacity ?? 0;
        _last = time.GetUtcNow();
    }

    public RateLimitDecision Take()
    {
        var now = _time.GetUtcNow();
        if (_capacity is not int capacity)
        {
            return new RateLimitDecision(true, UnlimitedReportedLimit, UnlimitedReportedLimit - 1, CeilingSeconds(now.AddSeconds(1)), 0);
        }

        lock (_gate)
        {
            double elapsed = Math.Max(0, (now - _last).TotalSeconds);
            _last = now > _last ? now : _last;
            if (_refillPerSecond > 0)
            {
                _tokens = Math.Min(capacity, _tokens + (elapsed * _refillPerSecond));
            }

            bool allowed = _tokens >= 1;
            if (allowed)
            {
                _tokens -= 1;
            }

            // When the bucket next gains a whole request (now, when it is full).
            double missing = _tokens >= capacity ? 0 : Math.Floor(_tokens) + 1 - _tokens;

            DateTimeOffset resetAt = missing <= 0
                ? now
                : _refillPerSecond > 0 ? now.AddSeconds(missing / _refillPerSecond) : now.AddDays(1);
            long reset = CeilingSeconds(resetAt);
            int retryAfter = (int)Math.Max(1, reset - now.ToUnixTimeSeconds());
            return new RateLimitDecision(allowed, capacity, (int)Math.Floor(_tokens), reset, retryAfter);
        }
    }

    private static long CeilingSeconds(DateTimeOffset t)
    {
        long ms = t.ToUnixTimeMilliseconds();
        return (ms + 999) / 1000;
    }
}
