using System.Net;

namespace Auth0Connector.Http;

/// <summary>
/// The Management API answered with an error (after retries). <see cref="Path"/> is the request
/// path without query; the message never contains a token.
/// </summary>
internal sealed class Auth0ApiException(HttpStatusCode status, string? errorCode, string message, string path) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;

    public string? ErrorCode { get; } = errorCode;

    public string Path { get; } = path;

    public static bool IsTransientStatus(HttpStatusCode status) => ErrorResolution.For(status) == ErrorAction.Retry;
}
