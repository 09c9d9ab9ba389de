namespace Auth0Connector.Http;

/// <summary>The tenant could not be reached or kept dropping the connection, after retries.</summary>
internal sealed class Auth0TransportException(string message, Exception inner) : Exception(message, inner);
