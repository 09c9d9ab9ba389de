using System.Globalization;

namespace Auth0Connector.Http;

/// <summary>
/// The one reader of Auth0's rate-limit headers (<c>x-ratelimit-limit</c>, <c>-remaining</c>,
/// <c>-reset</c>) and <c>Retry-After</c>. Whatever a server claims, no value read here makes the
/// connector wait longer than <see cref="MaxWait"/> at a time: unparsable or absurd values (a reset
/// a day away or in the distant past, a year-long Retry-After, numbers that overflow) count as
/// absent, and plausible ones are capped.
/// </summary>
internal readonly record struct RateLimitHeaders(int? Limit, int? Remaining, DateTimeOffset? Reset, TimeSpan? RetryAfter)
{
    /// <summary>
    /// True when <c>Retry-After</c> asks for more than <see cref="MaxWait"/> (a plausible value, capped in
    /// <see cref="RetryAfter"/>): Auth0's per-tenant token quota answers with hours, which no retry should wait out.
    /// </summary>
    public bool LongRetryAfter { get; init; }

    /// <summary>The longest single wait any header can cause.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(60);

    /// <summary>Values further than this from now are nonsense, not a rate limit.</summary>
    private static readonly TimeSpan Plausible = TimeSpan.FromDays(1);

    private const int MaxCount = 1_000_000;

    public static RateLimitHeaders Read(HttpResponseMessage response, DateTimeOffset now)
    {
        var limit = Count(response, "x-ratelimit-limit");
        var remaining = Count(response, "x-ratelimit-remaining");
        var retryAfter = RetryAfterOf(response, now);
        return new RateLimitHeaders(limit, remaining is { } r && limit is { } l && r > l ? l : remaining, ResetOf(response, now), retryAfter is { } w ? Cap(w) : null)
        {
            LongRetryAfter = retryAfter > MaxWait,
        };
    }

    /// <summary>Only <c>x-ratelimit-remaining</c> (for the debug log).</summary>
    public static int? RemainingOf(HttpResponseMessage response) => Count(response, "x-ratelimit-remaining");

    /// <summary><paramref name="wait"/> within [0, <see cref="MaxWait"/>].</summary>
    private static TimeSpan Cap(TimeSpan wait) => wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxWait ? MaxWait : wait;

    private static int? Count(HttpResponseMessage response, string header) =>
        response.Headers.TryGetValues(header, out var values)
        && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
        && value <= MaxCount
            ? value
            : null;

    private static DateTimeOffset? ResetOf(HttpResponseMessage response, DateTimeOffset now)
    {
        if (!response.Headers.TryGetValues("x-ratelimit-reset", out var values)
            || !long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var epochSeconds))
        {
            return null;
        }

        var nowSeconds = now.ToUnixTimeSeconds();
        if (epochSeconds < nowSeconds - (long)Plausible.TotalSeconds || epochSeconds > nowSeconds + (long)Plausible.TotalSeconds)
        {
            return null;
        }

        var reset = DateTimeOffset.FromUnixTimeSeconds(epochSeconds);
        return reset > now + MaxWait ? now + MaxWait : reset;
    }

    private static TimeSpan? RetryAfterOf(HttpResponseMessage response, DateTimeOffset now)
    {
        if (response.Headers.RetryAfter is not { } retryAfter)
        {
            return null;
        }

        var wait = retryAfter.Delta ?? (retryAfter.Date is { } date ? date - now : (TimeSpan?)null);
        return wait is { } w && w >= -Plausible && w <= Plausible ? w : null;
    }
}
