using System.Net;
using Auth0Connector.Auth;
using Auth0Connector.Configuration;
using Auth0Connector.Http;
using Auth0Connector.Protocol;
using Auth0Connector.Streams;

namespace Auth0Connector.Cli;

/// <summary>A failure as the protocol reports it, and whether other streams can still run after it.</summary>
internal sealed record Failure(FailureType Type, string Message, bool StopsSync, string? Detail = null);

internal static class FailureMapper
{
    public static Failure Map(Exception error, IAuth0Stream? stream) => error switch
    {
        ConfigException e => new Failure(FailureType.ConfigError, e.Message, StopsSync: true),
        Auth0AuthException e => new Failure(FailureType.ConfigError, e.Message, StopsSync: true),
        Auth0ApiException { Status: HttpStatusCode.Unauthorized } e => new Failure(FailureType.ConfigError, e.Message, StopsSync: true),
        Auth0ApiException { Status: HttpStatusCode.Forbidden } e => new Failure(FailureType.ConfigError,
            stream is null ? e.Message : $"Stream '{stream.Name}' needs the scope {stream.RequiredScope}. {e.Message}", StopsSync: false),
        // A redirect: base_url is not the tenant's API (every stream would be redirected the same way).
        Auth0ApiException { ErrorCode: "redirect" } e when e.Path.StartsWith("/api/v2/", StringComparison.Ordinal) || e.Path == "/oauth/token" =>
            new Failure(FailureType.ConfigError, e.Message, StopsSync: true),
        // No token, no request: the next stream would try the token endpoint all over again.
        Auth0ApiException { Path: "/oauth/token" } e => new Failure(TypeOf(e), e.Message, StopsSync: true),
        Auth0ApiException e => new Failure(TypeOf(e), e.Message, StopsSync: false),
        OffOriginException e => new Failure(FailureType.SystemError, e.Message, StopsSync: false),
        ResponseTooLargeException e => new Failure(FailureType.SystemError, e.Message, StopsSync: false),
        OutOfMemoryException => new Failure(FailureType.SystemError,
            $"The tenant's answers needed more memory than the connector allows itself ({GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024)} MiB): a server or proxy in front of the tenant is sending something no Auth0 tenant sends.", StopsSync: true),
        Auth0TransportException e => new Failure(FailureType.TransientError, e.Message, StopsSync: e.Unreachable, e.InnerException?.Message),
        ResultCapException e => new Failure(FailureType.SystemError, e.Message, StopsSync: false),
        InvalidDataException e => new Failure(FailureType.SystemError, e.Message, StopsSync: false),
        _ => new Failure(FailureType.SystemError, $"Unexpected error: {error.Message}", StopsSync: false, error.ToString()),
    };

    /// <summary>What an API error after retries means to the user: fix the config, try later, or a fault of the server's.</summary>
    private static FailureType TypeOf(Auth0ApiException e) => e.Status switch
    {
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => FailureType.ConfigError,
        _ when Auth0ApiException.IsTransientStatus(e.Status) => FailureType.TransientError,
        _ => FailureType.SystemError,
    };
}
