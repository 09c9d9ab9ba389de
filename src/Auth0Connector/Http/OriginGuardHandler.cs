using System.Net;

namespace Auth0Connector.Http;

/// <summary>
/// The last handler before the network, in every client: what is about to go on the wire is
/// checked here, in one place, whatever code built the request. Credentials (the bearer token, the
/// client secret in a token request) go only to the configured origin; no redirect is followed
/// (the primary handlers do not follow them either): a 3xx answer is an error naming its status
/// and the target's origin. The users-export download, the one request to another origin, carries
/// no credentials and goes over https (plain http only to loopback, for local tests).
/// </summary>
internal sealed class OriginGuardHandler : DelegatingHandler
{
    private readonly Uri? _origin;

    private OriginGuardHandler(Uri? origin) => _origin = origin;

    /// <summary>For the token and Management API clients: every request goes to <paramref name="baseUri"/>'s origin.</summary>
    public static OriginGuardHandler ForOrigin(Uri baseUri) => new(baseUri);

    /// <summary>For downloads from pre-signed links: https (or loopback http), never an Authorization header.</summary>
    public static OriginGuardHandler ForDownloads() => new(null);

    /// <summary>scheme://host:port of <paramref name="uri"/>: what may be named in messages (never a path or query).</summary>
    public static string OriginOf(Uri uri) => $"{uri.Scheme}://{uri.IdnHost}:{uri.Port}";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var target = request.RequestUri ?? throw new InvalidOperationException("A request without a URI.");
        Check(request, target);
        var response = await base.SendAsync(request, cancellationToken);
        var status = (int)response.StatusCode;
        if (status is >= 300 and < 400)
        {
            var location = response.Headers.Location is { } l ? new Uri(target, l) : null;
            response.Dispose();
            var where = location is null ? "without a Location" : $"to {OriginOf(location)}";
            throw new Auth0ApiException((HttpStatusCode)status, "redirect",
                $"{request.Method} {target.AbsolutePath} answered HTTP {status} redirecting {where}; the connector follows no redirect (it would carry credentials or data elsewhere). "
                + (_origin is null
                    ? "The users-export link must be a direct https download."
                    : $"Check base_url: it must be the tenant's own domain (like https://your-tenant.us.auth0.com, or its custom domain serving the Management API directly), not an address that redirects."),
                target.AbsolutePath);
        }

        return response;
    }

    private void Check(HttpRequestMessage request, Uri target)
    {
        if (_origin is { } origin)
        {
            if (!target.IsAbsoluteUri || Uri.Compare(target, origin, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0)
            {
                throw new OffOriginException($"A request to {(target.IsAbsoluteUri ? OriginOf(target) : "a relative address")} was refused: the credentials go only to the configured base_url, {OriginOf(origin)}.");
            }

            return;
        }

        if (request.Headers.Authorization is not null)
        {
            throw new OffOriginException($"A download from {OriginOf(target)} was refused: it carried credentials, which go only to the configured base_url.");
        }

        if (target.Scheme != Uri.UriSchemeHttps && !(target.Scheme == Uri.UriSchemeHttp && IsLoopback(target)))
        {
            throw new OffOriginException($"A download from {OriginOf(target)} was refused: export links must be https (plain http only to this machine, for tests).");
        }
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}

/// <summary>A request that would have carried credentials or data to an origin it must not reach; never sent.</summary>
internal sealed class OffOriginException(string message) : Exception(message);
