namespace Auth0Connector.Http;

/// <summary>
/// Reads each response body inside the retry pipeline, so a connection reset or truncated body is
/// an attempt that failed and is retried, not an error surfacing later while parsing. Pages are
/// at most 100 records, so buffering one is cheap.
/// </summary>
internal sealed class ContentBufferingHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        try
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }
}
