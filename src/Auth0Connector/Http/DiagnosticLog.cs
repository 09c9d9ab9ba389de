using System.Diagnostics;
using Auth0Connector.Foundation;

namespace Auth0Connector.Http;

/// <summary>Human-oriented diagnostics on stderr (requests with <c>--debug</c>); never tokens or secrets.</summary>
internal sealed class DiagnosticLog(TextWriter stderr, bool debug, Foundation.Redactor redactor)
{
    private readonly Lock _gate = new();

    public bool DebugEnabled { get; } = debug;

    public void Debug(string message)
    {
        if (DebugEnabled)
        {
            Write(message);
        }
    }

    public void Write(string message)
    {
        lock (_gate)
        {
            stderr.WriteLine(redactor.Redact(message));
            stderr.Flush();
        }
    }
}

/// <summary>
/// With <c>--debug</c>, logs each attempt's method, path, status and time; headers are never logged,
/// nor the query of a pre-signed URL (<paramref name="logQuery"/> false), whose signature is a credential.
/// </summary>
internal sealed class RequestLoggingHandler(DiagnosticLog log, bool logQuery = true) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!log.DebugEnabled)
        {
            return await base.SendAsync(request, cancellationToken);
        }

        var started = Stopwatch.GetTimestamp();
        var target = request.RequestUri is not { } uri ? "?"
            : logQuery || string.IsNullOrEmpty(uri.Query) ? uri.PathAndQuery
            : $"{uri.AbsolutePath}?(signed query not logged)";
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            var bucket = request.Options.TryGetValue(RateGateHandler.GroupOption, out var group) ? $"{EndpointGroups.NameOf(group)} bucket, " : string.Empty;
            log.Debug($"http {request.Method} {target} -> {(int)response.StatusCode} in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms"
                + (RateLimitHeaders.RemainingOf(response) is { } remaining ? $" ({bucket}rate limit remaining {remaining})" : bucket.Length > 0 ? $" ({bucket.TrimEnd(',', ' ')})" : string.Empty));
            return response;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
        {
            log.Debug($"http {request.Method} {target} -> {e.GetType().Name}: {e.Message} after {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms");
            throw;
        }
    }
}
