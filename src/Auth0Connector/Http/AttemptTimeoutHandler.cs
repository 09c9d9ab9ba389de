using Polly.Timeout;

namespace Auth0Connector.Http;

/// <summary>
/// Bounds one attempt's network time: sending, the answer and its body. It sits inside the rate
/// gate and the authentication handler, so waiting for a rate-limit slot or for a token (which has
/// its own retries) never counts against it; a stalled attempt becomes a
/// <see cref="TimeoutRejectedException"/>, which the retry pipeline retries like a dropped connection.
/// </summary>
internal sealed class AttemptTimeoutHandler(TimeProvider time, TimeSpan timeout) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var expired = new CancellationTokenSource(timeout, time);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, expired.Token);
        try
        {
            return await base.SendAsync(request, attempt.Token);
        }
        catch (OperationCanceledException e) when (expired.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutRejectedException($"No complete answer within {timeout.TotalSeconds:F0} s.", timeout, e);
        }
    }
}
