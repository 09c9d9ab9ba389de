namespace Auth0Connector.Http;

/// <summary>
/// Reads each response body inside the retry pipeline, so a connection reset or truncated body is
/// an attempt that failed and is retried, not an error surfacing later while parsing. Pages are
/// at most 100 records, so buffering one is cheap; a body larger than <see cref="MaxBodyBytes"/>
/// (announced or streamed) is refused, never allocated: an error, not retried. A body that stops
/// arriving, no byte for <paramref name="stallTimeout"/> (<c>stall_timeout_seconds</c>), is abandoned
/// as a <see cref="ResponseStalledException"/> and retried: the attempt timeout alone would hold it
/// for a whole <c>request_timeout_seconds</c>.
/// </summary>
internal sealed class ContentBufferingHandler(TimeProvider time, TimeSpan stallTimeout) : DelegatingHandler
{
    /// <summary>The largest response body read: Auth0's pages are kilobytes to a few megabytes.</summary>
    public const int MaxBodyBytes = 32 * 1024 * 1024;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        try
        {
            var announced = response.Content.Headers.ContentLength;
            if (announced > MaxBodyBytes)
            {
                throw TooLarge(request, $"announced {announced:N0} bytes");
            }

            var buffer = new MemoryStream(announced is { } length ? (int)length : 0);
            using var watch = new StallWatch(time, stallTimeout, cancellationToken);
            await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken))
            {
                var chunk = new byte[81920];
                int read;
                try
                {
                    while ((read = await body.ReadAsync(chunk, watch.Arm())) > 0)
                    {
                        if (buffer.Length + read > MaxBodyBytes)
                        {
                            throw TooLarge(request, "went on");
                        }

                        buffer.Write(chunk, 0, read);
                    }
                }
                catch (OperationCanceledException e) when (watch.Stalled)
                {
                    throw new ResponseStalledException($"{request.Method} {request.RequestUri?.AbsolutePath} sent its headers, then no byte of its body for {stallTimeout.TotalSeconds:F0} s (stall_timeout_seconds)", e);
                }
            }

            var content = new BufferedContent(buffer.GetBuffer(), (int)buffer.Length);
            foreach (var header in response.Content.Headers)
            {
                content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            content.Headers.ContentLength = buffer.Length;
            response.Content.Dispose();
            response.Content = content;
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static ResponseTooLargeException TooLarge(HttpRequestMessage request, string what) =>
        new($"{request.Method} {request.RequestUri?.AbsolutePath} answered a body that {what} past {MaxBodyBytes / (1024 * 1024)} MiB, the most the connector reads from one response (Auth0's pages are far smaller): a proxy or server in front of the tenant is misbehaving.");
}

/// <summary>A body read whole; <see cref="Body"/> lets the parser use it in place instead of copying it.</summary>
internal sealed class BufferedContent(byte[] buffer, int length) : ByteArrayContent(buffer, 0, length)
{
    public ReadOnlyMemory<byte> Body { get; } = buffer.AsMemory(0, length);
}

/// <summary>A response body over <see cref="ContentBufferingHandler.MaxBodyBytes"/>: refused, not retried.</summary>
internal sealed class ResponseTooLargeException(string message) : Exception(message);

/// <summary>A response body that stopped arriving: an attempt that failed, retried soon like a dropped connection.</summary>
internal sealed class ResponseStalledException(string message, Exception inner) : IOException(message, inner);
