namespace Auth0Connector.Http;

/// <summary>
/// The rate gate every Management API request of the process passes: with
/// <c>requests_per_second</c> set, requests are spaced evenly so this connector never uses more
/// than that share of the tenant's budget, however many run in parallel.
/// </summary>
internal sealed class RequestPacer(TimeProvider time, double? requestsPerSecond)
{
    private readonly Lock _gate = new();
    private readonly TimeSpan _interval = requestsPerSecond is { } rps ? TimeSpan.FromSeconds(1 / rps) : TimeSpan.Zero;
    private DateTimeOffset _nextSlot = DateTimeOffset.MinValue;

    public async ValueTask WaitTurnAsync(CancellationToken cancellationToken)
    {
        if (_interval == TimeSpan.Zero)
        {
            return;
        }

        DateTimeOffset slot;
        lock (_gate)
        {
            var now = time.GetUtcNow();
            slot = _nextSlot > now ? _nextSlot : now;
            _nextSlot = slot + _interval;
        }

        var wait = slot - time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time, cancellationToken);
        }
    }
}

/// <summary>Makes each attempt (retries included) wait for its turn at the <see cref="RequestPacer"/>.</summary>
internal sealed class PacingHandler(RequestPacer pacer) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await pacer.WaitTurnAsync(cancellationToken);
        return await base.SendAsync(request, cancellationToken);
    }
}
