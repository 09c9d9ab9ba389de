namespace Auth0Connector.Http;

/// <summary>The tenant could not be reached or kept dropping the connection, after retries.</summary>
internal sealed class Auth0TransportException(string message, Exception inner) : Exception(message, inner)
{
    /// <summary>
    /// What the send path throws when retries could not get an answer: a connection failure, an
    /// attempt timeout, or a cancellation the caller did not ask for.
    /// </summary>
    public static bool IsTransportFailure(Exception e, CancellationToken callerToken) =>
        e is HttpRequestException or IOException or Polly.Timeout.TimeoutRejectedException or System.Net.Sockets.SocketException
        || (e is OperationCanceledException && !callerToken.IsCancellationRequested);
}
