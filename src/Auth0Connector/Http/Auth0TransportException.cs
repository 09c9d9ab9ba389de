namespace Auth0Connector.Http;

/// <summary>The tenant could not be reached or kept dropping the connection, after retries.</summary>
internal sealed class Auth0TransportException(string message, Exception inner, bool tokenEndpoint = false) : Exception(message, inner)
{
    /// <summary>
    /// No token could be had, no connection made at all (a refused connection, a name that does
    /// not resolve), or the body of the last attempt (retries exhausted) stalled after its headers
    /// (a broken proxy, a network dropping large packets): every other request would likely fail the
    /// same way, each after its retries, so the sync stops here. Only the last attempt is looked at.
    /// </summary>
    public bool Unreachable { get; } = tokenEndpoint || IsConnectFailure(inner);

    private static bool IsConnectFailure(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is ResponseStalledException or HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// What the send path throws when retries could not get an answer: a connection failure, an
    /// attempt timeout, or a cancellation the caller did not ask for.
    /// </summary>
    public static bool IsTransportFailure(Exception e, CancellationToken callerToken) =>
        ErrorResolution.For(e, callerToken) is ErrorAction.Retry or ErrorAction.StopSync || e is System.Net.Sockets.SocketException;
}
