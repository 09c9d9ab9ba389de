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
        Auth0ApiException e => ForApi(e, stream),
        OffOriginException e => new Failure(FailureType.SystemError, e.Message, StopsSync: false),
        ResponseTooLargeException e => new Failure(FailureType.SystemError, e.Message, StopsSync: false),
        OutOfMemoryException => new Failure(FailureType.SystemError,
            $"The tenant's answers needed more memory than the connector allows itself ({GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024)} MiB): a server or proxy in front of the tenant is sending something no Auth0 tenant sends.", StopsSync: true),
        Auth0TransportException e => new Failure(FailureType.TransientError, e.Message, StopsSync: e.Unreachable, e.InnerException?.Message),
        ResultCapException e => new Failure(FailureType.SystemError, e.Message, StopsSync: false),
        InvalidDataException e => new Failure(FailureType.SystemError, e.Message, StopsSync: false),
        _ => new Failure(FailureType.SystemError, $"Unexpected error: {error.Message}", StopsSync: false, error.ToString()),
    };

    /// <summary>An API error after retries, as the error-resolution table classes it.</summary>
    private static Failure ForApi(Auth0ApiException e, IAuth0Stream? stream) => ErrorResolution.For(e) switch
    {
        // Still 401 after the one renewal: the credentials themselves are refused.
        ErrorAction.RenewToken => new Failure(FailureType.ConfigError, e.Message, StopsSync: true),
        ErrorAction.MissingScope => new Failure(FailureType.ConfigError,
            stream is null ? e.Message : $"Stream '{stream.Name}' needs the scope{(stream.RequiredScopes.Count > 1 ? "s" : string.Empty)} {string.Join(" and ", stream.RequiredScopes)}: grant {(stream.RequiredScopes.Count > 1 ? "them" : "it")} to the application in the Auth0 dashboard (APIs → Auth0 Management API → Machine to Machine Applications), or leave the stream out of the catalog. {e.Message}", StopsSync: false),
        // A redirect: base_url is not the tenant's API (every stream would be redirected the same way).
        ErrorAction.StopSync when e.Path.StartsWith("/api/v2/", StringComparison.Ordinal) || e.Path == "/oauth/token" => new Failure(FailureType.ConfigError, e.Message, StopsSync: true),
        // Exhausted retries; at the token endpoint, the next stream would only try it all over again.
        ErrorAction.Retry => new Failure(FailureType.TransientError, e.Message, StopsSync: e.Path == "/oauth/token"),
        // The search timed out where no smaller query could be asked (check's probe, say): try again later.
        ErrorAction.NarrowQuery => new Failure(FailureType.TransientError, e.Message, StopsSync: false),
        _ => new Failure(FailureType.SystemError, e.Message, StopsSync: e.Path == "/oauth/token"),
    };
}
