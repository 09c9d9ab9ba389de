namespace Auth0Connector.Http;

/// <summary>Counts the HTTP requests the process sends (every attempt, retries included), for read's summary.</summary>
internal sealed class RequestCounter
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Add() => Interlocked.Increment(ref _count);
}

/// <summary>The innermost handler of each client: one count per attempt that goes on the wire, in all and for the running <see cref="RequestScope"/>.</summary>
internal sealed class RequestCountingHandler(RequestCounter counter) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        counter.Add();
        RequestScope.Current?.AddRequest();
        return base.SendAsync(request, cancellationToken);
    }
}
