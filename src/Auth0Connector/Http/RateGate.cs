using System.Globalization;

namespace Auth0Connector.Http;

/// <summary>
/// The rate gate every Management API request of the process passes (retries included). It reads
/// Auth0's <c>x-ratelimit-remaining</c>/<c>x-ratelimit-reset</c> from each response and, when the
/// bucket is empty, holds requests until it refills instead of sending them into 429s; with
/// <c>requests_per_second</c> set it also spaces requests evenly to leave room for other clients.
/// </summary>
/// <remarks>
/// While the bucket is empty, one request (a probe) is let through at the reset time; its response
/// tells how many requests the bucket regained, and that many go at once. So a long sync runs at
/// the bucket's refill rate with hardly any 429, whatever the tenant's limits are.
/// </remarks>
internal sealed class RateGate(TimeProvider time, double? requestsPerSecond, ThrottleMonitor monitor)
{
    private static readonly TimeSpan ProbePoll = TimeSpan.FromMilliseconds(10);
    // Reset is in whole seconds and clocks differ a little: aim just after it.
    private static readonly TimeSpan ResetMargin = TimeSpan.FromMilliseconds(50);
    private readonly Lock _gate = new();
    private readonly TimeSpan _interval = requestsPerSecond is { } rps ? TimeSpan.FromSeconds(1 / rps) : TimeSpan.Zero;
    private DateTimeOffset _nextSlot = DateTimeOffset.MinValue;
    private int? _remaining;          // requests the bucket still allows, by the latest response less those sent since
    private DateTimeOffset _resetAt;  // when the bucket next gains requests
    private bool _probing;
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
            lock (_gate)
            {
                var now = time.GetUtcNow();
                if (_remaining is null or > 0)
                {
                    _remaining--;
                    admitted = true;
                }
                else if (!_probing && now >= _resetAt)
                {
                    _probing = true;
                    admitted = true;
                }

                if (admitted)
                {
                    _inFlight++;
                    var slot = _nextSlot > now ? _nextSlot : now;
                    _nextSlot = slot + _interval;
                    wait = slot - now;
                }
                else
                {
                    quotaReset = _resetAt;
                    wait = _probing || _resetAt <= now ? ProbePoll : _resetAt - now;
                }
            }

            if (admitted)
            {
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, cancellationToken);
                }

                // Pacing by requests_per_second is our own choice, not the tenant's limit.
                monitor.Waited(waited, quotaReset);
                return;
            }

            await Task.Delay(wait, time, cancellationToken);
            waited += wait;
        }
    }

    /// <summary>Records what the response says about the bucket (null: the request failed without one).</summary>
    public void Completed(HttpResponseMessage? response)
    {
        var remaining = response is null ? null : ReadInt(response, "x-ratelimit-remaining");
        var reset = response is null ? null : RetryPolicy.ReadRateLimitReset(response);
        lock (_gate)
        {
            _inFlight = Math.Max(0, _inFlight - 1);
            _probing = false;
            if (remaining is { } r)
            {
                // The others still in flight were probably not counted by the tenant yet.
                _remaining = r - _inFlight;
                if (reset is { } at)
                {
                    _resetAt = at + ResetMargin;
                }
            }
        }
    }

    private static int? ReadInt(HttpResponseMessage response, string header) =>
        response.Headers.TryGetValues(header, out var values)
        && int.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
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
