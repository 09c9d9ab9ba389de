using System.Globalization;

namespace Auth0Connector.Http;

/// <summary>
/// The rate gate every Management API request of the process passes (retries included). It mirrors
/// the tenant's token bucket from Auth0's <c>x-ratelimit-limit/remaining/reset</c> headers and spaces
/// requests so that a long sync runs at the bucket's refill rate instead of bouncing off 429s; with
/// <c>requests_per_second</c> set it also caps our own rate, to leave room for other clients.
/// </summary>
/// <remarks>
/// Auth0 does not say how fast the bucket refills, so the gate measures it: between two responses
/// the bucket gained <c>remaining_now - remaining_then + requests answered in between</c> (429s
/// excepted; each 429 also lowers the estimate). Until a
/// second of such observations exists, an empty bucket is probed once at its reset time.
/// </remarks>
internal sealed class RateGate(TimeProvider time, double? requestsPerSecond, ThrottleMonitor monitor, DiagnosticLog? log = null)
{
    private const int Window = 40;
    private const double Safety = 0.99;
    private static readonly TimeSpan MinimumSpan = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ProbePoll = TimeSpan.FromMilliseconds(10);
    // Reset is in whole seconds and clocks differ a little: aim just after it.
    private static readonly TimeSpan ResetMargin = TimeSpan.FromMilliseconds(50);
    // One request of the bucket is kept in hand: the model is an estimate (answers overtake each other,
    // requests in flight are counted or not yet, clocks differ), and a request sent on the bucket's
    // last token is a 429 whenever the estimate is a little high. It costs one request's time, once.
    private const double Reserve = 1;
    private readonly Lock _gate = new();
    private readonly TimeSpan _interval = requestsPerSecond is { } rps ? TimeSpan.FromSeconds(1 / rps) : TimeSpan.Zero;
    private readonly Queue<(DateTimeOffset At, int Remaining, bool Spent)> _observations = new();
    private DateTimeOffset _nextSlot = DateTimeOffset.MinValue;
    private bool _known;              // have we seen rate-limit headers at all?
    private double _tokens;           // requests the bucket allows now, by our model
    private DateTimeOffset _tokensAt;
    private int _limit = int.MaxValue;
    private double? _refillPerSecond;
    private DateTimeOffset _resetAt;
    private bool _probing;
    private long _probe;              // which admitted request is the probe (see Abandoned)
    private int _inFlight;

    /// <summary>Waits for this request's turn; the caller reports the response with <see cref="Completed"/>.</summary>
    public async ValueTask AcquireAsync(CancellationToken cancellationToken)
    {
        var waited = TimeSpan.Zero;
        DateTimeOffset? quotaReset = null;
        while (true)
        {
            TimeSpan wait;
            var admitted = false;
            var tookToken = false;
            long probe = 0;
            double tokens;
            double? refill;
            lock (_gate)
            {
                var now = time.GetUtcNow();
                Refill(now);
                if (!_known || _tokens >= 1 + Reserve)
                {
                    _tokens--;
                    admitted = tookToken = true;
                }
                else if (_refillPerSecond is not null)
                {
                    quotaReset = _resetAt;
                }
                else if (!_probing && now >= _resetAt)
                {
                    _probing = true;
                    probe = ++_probe;
                    admitted = true;
                }

                if (admitted)
                {
                    _inFlight++;
                    var slot = _nextSlot > now ? _nextSlot : now;
                    _nextSlot = slot + _interval;
                    wait = slot - now;
                }
                else if (_refillPerSecond is null)
                {
                    quotaReset = _resetAt;
                    wait = _probing || _resetAt <= now ? ProbePoll : _resetAt - now;
                }
                else
                {
                    wait = TimeSpan.FromSeconds((1 + Reserve - _tokens) / _refillPerSecond.Value);
                }

                // The model as this request saw it, for the debug line (read outside the lock, it could tear).
                (tokens, refill) = (_tokens, _refillPerSecond);
            }

            if (admitted)
            {
                if (wait > TimeSpan.Zero)
                {
                    try
                    {
                        await Task.Delay(wait, time, cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        // Given up before it was sent: nothing is in flight, no probe is pending.
                        Abandoned(tookToken, probe);
                        throw;
                    }
                }

                // Pacing by requests_per_second is our own choice, not the tenant's limit: not reported.
                monitor.Waited(waited, quotaReset);
                return;
            }

            // However the model got there (a refill rate measured near zero, say), no pause exceeds a minute.
            wait = wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait > RateLimitHeaders.MaxWait ? RateLimitHeaders.MaxWait : wait;
            log?.Debug($"rate gate: holding a request {wait.TotalMilliseconds:F0} ms (bucket model {tokens:F2} requests, refill {(refill is { } r ? r.ToString("F2", CultureInfo.InvariantCulture) : "unknown")}/s)");
            await Task.Delay(wait, time, cancellationToken);
            waited += wait;
        }
    }

    private void Abandoned(bool tookToken, long probe)
    {
        lock (_gate)
        {
            _inFlight = Math.Max(0, _inFlight - 1);
            if (tookToken)
            {
                _tokens++;
            }

            // Only if this request is still the pending probe, not one admitted since.
            if (probe != 0 && probe == _probe)
            {
                _probing = false;
            }
        }
    }

    /// <summary>Records what the response says about the bucket (null: the request failed without one).</summary>
    public void Completed(HttpResponseMessage? response)
    {
        var headers = response is null ? default : RateLimitHeaders.Read(response, time.GetUtcNow());
        var (remaining, limit, reset) = (headers.Remaining, headers.Limit, headers.Reset);
        var limited = response?.StatusCode == System.Net.HttpStatusCode.TooManyRequests;
        // A 429's Retry-After is the tenant's explicit answer: it wins over the bucket's reset time.
        var retryAfter = limited ? headers.RetryAfter : null;
        lock (_gate)
        {
            _inFlight = Math.Max(0, _inFlight - 1);
            _probing = false;
            if (remaining is not { } r)
            {
                return;
            }

            var now = time.GetUtcNow();
            Refill(now);
            // The tenant reports whole requests, and the others still in flight were probably not
            // counted yet. Answers can arrive out of order: a count above our model is trusted less
            // one (the answer may have been overtaken by one already counted), a lower one fully.
            var floor = r - _inFlight;
            if (!_known)
            {
                _tokens = floor;
            }
            else if (floor > _tokens)
            {
                _tokens = Math.Max(_tokens, floor - 1);
            }
            else
            {
                _tokens = _refillPerSecond is null ? floor : Math.Min(_tokens, floor + 0.999);
            }

            _known = true;
            _limit = limit ?? _limit;
            _tokensAt = now;
            if (retryAfter is { } after)
            {
                _resetAt = now + after;
            }
            else if (reset is { } at && at + ResetMargin > _resetAt)
            {
                _resetAt = at + ResetMargin;
            }

            if (limited && _refillPerSecond is { } rate)
            {
                // We overestimated the refill: back off, the measurements will correct it.
                _refillPerSecond = rate * 0.8;
            }

            Measure(now, r, spent: !limited);
        }
    }

    private void Refill(DateTimeOffset now)
    {
        if (_refillPerSecond is { } rate && now > _tokensAt)
        {
            _tokens = Math.Min(_limit, _tokens + (rate * (now - _tokensAt).TotalSeconds));
            _tokensAt = now;
        }
    }

    /// <summary>Refill rate over the recent responses: tokens gained plus tokens spent, per second.</summary>
    private void Measure(DateTimeOffset now, int remaining, bool spent)
    {
        if (remaining > _limit / 2)
        {
            // A bucket with room to spare tells our own pace, not its refill rate: measure only
            // while we are draining it.
            _observations.Clear();
            return;
        }

        _observations.Enqueue((now, remaining, spent));
        while (_observations.Count > Window)
        {
            _observations.Dequeue();
        }

        var (firstAt, firstRemaining, _) = _observations.Peek();
        var span = now - firstAt;
        if (span < MinimumSpan)
        {
            return;
        }

        // Every answered request after the first observation spent a request; a 429 did not.
        var spentSince = _observations.Skip(1).Count(o => o.Spent);
        var gained = remaining - firstRemaining + spentSince;
        // Counts are whole requests: one fewer keeps a short window from overestimating.
        if (gained > 1)
        {
            _refillPerSecond = Safety * (gained - 1) / span.TotalSeconds;
        }
    }
}

/// <summary>Makes each attempt (retries included) pass the <see cref="RateGate"/>.</summary>
internal sealed class RateGateHandler(RateGate gate) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await gate.AcquireAsync(cancellationToken);
        HttpResponseMessage? response = null;
        try
        {
            response = await base.SendAsync(request, cancellationToken);
            return response;
        }
        finally
        {
            gate.Completed(response);
        }
    }
}
