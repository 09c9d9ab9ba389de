using System.Net;
using Polly;
using Polly.Retry;

namespace Auth0Connector.Http;

/// <summary>
/// The one resilience pipeline every Management API and token request goes through: retries of
/// 429, 408, 5xx, connection failures, truncated or stalled bodies and per-attempt timeouts, waiting for
/// <c>Retry-After</c>, else <c>x-ratelimit-reset</c>, else (a connection that could not be made, a
/// stalled body) a short capped wait, else capped exponential backoff with jitter.
/// </summary>
internal static class RetryPolicy
{
    public static readonly TimeSpan MaxDelay = RateLimitHeaders.MaxWait;
    public static readonly TimeSpan BaseDelay = TimeSpan.FromSeconds(1);

    /// <summary>A token request's attempt: Auth0 answers in milliseconds, so a silent endpoint is not waited on for a minute.</summary>
    public static readonly TimeSpan TokenAttemptTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Getting a token, retries included: an unreachable tenant fails the sync within about a minute.</summary>
    public static readonly TimeSpan TokenBudget = TimeSpan.FromSeconds(60);

    /// <summary>Waits between attempts that could not connect at all or whose body stalled: retried soon, not after a minute.</summary>
    private static readonly TimeSpan ConnectRetryCap = TimeSpan.FromSeconds(4);

    /// <summary>
    /// The pipeline; <paramref name="budget"/> bounds the whole call, retries and waits included. With
    /// <paramref name="gated"/> (requests that pass the <see cref="RateGate"/>) a 429 without <c>Retry-After</c> is sent
    /// again at once: the gate holds it until its bucket's model has a request again, which is a fraction of a second
    /// on a fast bucket, where <c>x-ratelimit-reset</c> (whole seconds) would cost up to a second.
    /// </summary>
    public static ResiliencePipeline<HttpResponseMessage> Build(int maxRetries, TimeProvider time, DiagnosticLog log, ThrottleMonitor? throttle = null, TimeSpan? budget = null, bool gated = false)
    {
        // Waits run on the injected clock, so tests drive them with a fake one.
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time };
        if (budget is { } total)
        {
            builder.AddTimeout(total);
        }

        if (maxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = maxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = BaseDelay,
                MaxDelay = MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context.CancellationToken, time)),
                DelayGenerator = args => ValueTask.FromResult(DelayFromHeaders(args.Outcome.Result, time, gated) ?? ConnectDelay(args.Outcome.Exception, args.AttemptNumber)),
                OnRetry = args =>
                {
                    var what = args.Outcome.Result is { } r ? $"HTTP {(int)r.StatusCode}" : args.Outcome.Exception?.GetType().Name ?? "failure";
                    log.Debug($"retry {args.AttemptNumber + 1}/{maxRetries} after {what}, waiting {args.RetryDelay.TotalMilliseconds:F0} ms");
                    if (args.Outcome.Result is { StatusCode: HttpStatusCode.TooManyRequests } limited)
                    {
                        throttle?.WillWait(args.RetryDelay, RateLimitHeaders.Read(limited, time.GetUtcNow()).Reset);
                    }

                    return ValueTask.CompletedTask;
                },
            });
        }

        return builder.Build();
    }

    internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, CancellationToken callerToken, TimeProvider? time = null) => outcome switch
    {
        // A 429 asking to wait longer than any retry waits (the tenant's M2M token quota: hours) is not retried.
        { Result: { StatusCode: HttpStatusCode.TooManyRequests } limited } when RateLimitHeaders.Read(limited, (time ?? TimeProvider.System).GetUtcNow()).LongRetryAfter => false,
        // A user search's 503 is its query timeout: the same query would time out again (the caller narrows it).
        { Result: { } response } => ErrorResolution.For(response) == ErrorAction.Retry || IsEmptySuccess(response),
        { Exception: { } error } => ErrorResolution.For(error, callerToken) == ErrorAction.Retry,
        _ => false,
    };

    /// <summary>
    /// Auth0 never answers a GET with an empty 2xx body: one is a connection cut before the body
    /// (the buffering handler has read it, so the length is known).
    /// </summary>
    private static bool IsEmptySuccess(HttpResponseMessage response) =>
        response.IsSuccessStatusCode && response.RequestMessage?.Method == HttpMethod.Get && response.Content.Headers.ContentLength == 0;

    /// <summary>The wait the tenant asked for (never more than a minute), or null to use the exponential backoff.</summary>
    internal static TimeSpan? DelayFromHeaders(HttpResponseMessage? response, TimeProvider time, bool gated = false)
    {
        if (response is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var headers = RateLimitHeaders.Read(response, now);
        if (headers.RetryAfter is { } wait)
        {
            return Clamp(wait);
        }

        if (response.StatusCode == HttpStatusCode.TooManyRequests && gated)
        {
            return TimeSpan.Zero;
        }

        if (response.StatusCode == HttpStatusCode.TooManyRequests && headers.Reset is { } reset)
        {
            // The bucket gains requests at 'reset' (whole seconds): wait until just after it.
            return Clamp(reset - now + TimeSpan.FromMilliseconds(50));
        }

        return null;
    }

    /// <summary>
    /// Short capped waits (0.5, 1, 2, 4, 4… s) after a connection that could not be made or a body that stalled (a
    /// network fault, not an overloaded tenant: a fresh connection soon is the best chance); null otherwise (exponential backoff).
    /// </summary>
    internal static TimeSpan? ConnectDelay(Exception? error, int attempt) =>
        error is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } or ResponseStalledException
            ? QuickDelay(attempt)
            : null;

    /// <summary>The wait before retry <paramref name="attempt"/> (0 for the first) after a network fault.</summary>
    internal static TimeSpan QuickDelay(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(ConnectRetryCap.TotalMilliseconds, 500 * Math.Pow(2, Math.Min(attempt, 10))));

    /// <summary>
    /// The longest one request can take when its server sends headers at once and then stalls every body: each of
    /// the <paramref name="maxRetries"/> + 1 attempts waits <paramref name="stallTimeout"/>, and the retries wait
    /// their <see cref="QuickDelay"/>s. With the defaults (6 retries, 10 s) that is 85.5 s.
    /// </summary>
    public static TimeSpan StalledRequestBound(int maxRetries, TimeSpan stallTimeout) =>
        (stallTimeout * (maxRetries + 1)) + Enumerable.Range(0, maxRetries).Aggregate(TimeSpan.Zero, (sum, attempt) => sum + QuickDelay(attempt));

    private static TimeSpan Clamp(TimeSpan wait) =>
        wait < TimeSpan.FromMilliseconds(50) ? TimeSpan.FromMilliseconds(50) : wait > MaxDelay ? MaxDelay : wait;
}
