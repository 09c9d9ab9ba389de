using System.Net;
using System.Text.Json;
using Auth0Connector.Configuration;
using Auth0Connector.Foundation;
using Auth0Connector.Http;

namespace Auth0Connector.Auth;

/// <summary>
/// Client-credentials tokens from <c>POST {base}/oauth/token</c>: cached, renewed ahead of expiry,
/// renewed once after a 401, and fetched by one caller at a time however many requests wait.
/// </summary>
internal sealed class ClientCredentialsTokenSource(HttpClient http, ConnectorConfig config, TimeProvider time, Foundation.Redactor redactor) : ITokenSource, IDisposable
{
    /// <summary>HttpClient name of the token endpoint client (resilient, but no auth handler).</summary>
    public const string HttpClientName = "auth0-token";

    private readonly SemaphoreSlim _fetchLock = new(1, 1);
    private readonly ClientCredentials _credentials = (ClientCredentials)config.Credentials;
    private volatile CachedToken? _current;

    private sealed record CachedToken(string Value, DateTimeOffset RenewAt, IReadOnlySet<string>? Scopes);

    public IReadOnlySet<string>? GrantedScopes => _current?.Scopes;

    public async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        var current = _current;
        if (current is not null && time.GetUtcNow() < current.RenewAt)
        {
            return current.Value;
        }

        await _fetchLock.WaitAsync(cancellationToken);
        try
        {
            // Another caller may have renewed it while we waited.
            current = _current;
            if (current is not null && time.GetUtcNow() < current.RenewAt)
            {
                return current.Value;
            }

            current = await FetchAsync(cancellationToken);
            _current = current;
            return current.Value;
        }
        finally
        {
            _fetchLock.Release();
        }
    }

    public async ValueTask<bool> InvalidateAsync(string rejectedToken, CancellationToken cancellationToken)
    {
        await _fetchLock.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } current && current.Value != rejectedToken)
            {
                return true; // someone already renewed it
            }

            _current = await FetchAsync(cancellationToken);
            return true;
        }
        finally
        {
            _fetchLock.Release();
        }
    }

    private async Task<CachedToken> FetchAsync(CancellationToken cancellationToken)
    {
        using var body = new FormUrlEncodedContent(
        [
            new("grant_type", "client_credentials"),
            new("client_id", _credentials.ClientId),
            new("client_secret", _credentials.ClientSecret),
            new("audience", _credentials.Audience),
        ]);
        using var request = new HttpRequestMessage(HttpMethod.Post, config.TokenUri) { Content = body };
        var requestedAt = time.GetUtcNow();
        HttpResponseMessage? response = null;
        byte[] payload;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
            payload = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        }
        catch (Exception e) when (Auth0TransportException.IsTransportFailure(e, cancellationToken))
        {
            response?.Dispose();
            throw new Auth0TransportException($"Could not get a token from {config.TokenUri} after retries ({e.Message.TrimEnd('.')}). Check base_url and the network.", e, tokenEndpoint: true);
        }
        catch
        {
            response?.Dispose();
            throw;
        }

        using var _ = response;
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            throw QuotaExceeded(response);
        }

        if (!response.IsSuccessStatusCode)
        {
            if (Auth0ApiException.IsTransientStatus(response.StatusCode))
            {
                // Retries are exhausted: the tenant is overloaded or down, not misconfigured.
                throw new Auth0ApiException(response.StatusCode, null, $"The token endpoint kept failing (HTTP {(int)response.StatusCode}) after retries.", config.TokenUri.AbsolutePath);
            }

            throw new Auth0AuthException(DescribeFailure(response.StatusCode, payload));
        }

        try
        {
            using var document = JsonDocument.Parse(payload, ServerJson.Options);
            var root = document.RootElement;
            var token = root.StringProperty("access_token");
            if (string.IsNullOrEmpty(token) || token.Any(c => c is < '!' or > '~'))
            {
                // A bearer token is visible ASCII; anything else could not be sent in a header.
                throw new Auth0ApiException(response.StatusCode, "invalid_token_response", "The token endpoint answered without a usable access_token.", config.TokenUri.AbsolutePath);
            }

            // Whatever the endpoint claims, a token is renewed within 30 days (and not before 1 s).
            var lifetime = root.TryGetProperty("expires_in", out var e) && e.TryGetInt64(out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(Math.Min(seconds, (long)TimeSpan.FromDays(30).TotalSeconds))
                : TimeSpan.FromHours(1);
            var scopes = StaticTokenSource.ParseScopes(root.StringProperty("scope"));
            redactor.Add(token);
            return new CachedToken(token, requestedAt + RenewalPoint(lifetime), scopes);
        }
        catch (JsonException)
        {
            throw new Auth0ApiException(response.StatusCode, "invalid_json", "The token endpoint answered with a body that is not JSON.", config.TokenUri.AbsolutePath);
        }
    }

    /// <summary>
    /// A 429 from the token endpoint: Auth0's per-tenant quota of machine-to-machine tokens (its Retry-After is often
    /// hours) or the endpoint's own rate limit, still refused after retries. Either way no request can be sent.
    /// </summary>
    private Auth0ApiException QuotaExceeded(HttpResponseMessage response)
    {
        var now = time.GetUtcNow();
        var retry = response.Headers.RetryAfter is { } after ? after.Delta is { } delta ? now + delta : after.Date : null;
        var when = retry is { } at && at > now && at < now + TimeSpan.FromDays(31)
            ? $" Auth0 asks to wait until {at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)} UTC."
            : string.Empty;
        return new Auth0ApiException(HttpStatusCode.TooManyRequests, "too_many_requests",
            $"The token endpoint {config.TokenUri.AbsolutePath} refused a new access token with HTTP 429: the tenant's quota of machine-to-machine tokens is used up, or its token endpoint is rate limited.{when} "
            + "This connector requests one token per run; look for other applications fetching a token per request (Auth0 dashboard → Monitoring → Logs, or Tenant Settings → Subscription for the quota), "
            + "or use credentials.auth_type oauth2_access_token with a token obtained once.", config.TokenUri.AbsolutePath);
    }

    /// <summary>Renew with a margin: 10% of the lifetime, at least 10 s and at most 10 minutes.</summary>
    internal static TimeSpan RenewalPoint(TimeSpan lifetime)
    {
        var margin = TimeSpan.FromTicks(Math.Clamp(lifetime.Ticks / 10, TimeSpan.FromSeconds(10).Ticks, TimeSpan.FromMinutes(10).Ticks));
        // Short-lived tokens: never renew later than half-way, so the point grows with the lifetime.
        return lifetime - (margin < lifetime / 2 ? margin : lifetime / 2);
    }

    private string DescribeFailure(HttpStatusCode status, byte[] payload)
    {
        var (error, description) = ReadOAuthError(payload);
        var detail = error is null ? $"HTTP {(int)status}" : $"HTTP {(int)status} {error}: {description}";
        return (status, error) switch
        {
            (HttpStatusCode.Unauthorized, _) =>
                $"Auth0 rejected the client credentials ({detail}). Check credentials.client_id and credentials.client_secret: copy them from the M2M application's Settings tab in the Auth0 dashboard.",
            (HttpStatusCode.Forbidden, "unauthorized_client") =>
                $"The application may not use the client-credentials grant ({detail}). In the Auth0 dashboard open the application → Advanced Settings → Grant Types and enable 'Client Credentials'.",
            (HttpStatusCode.Forbidden, _) =>
                $"The application is not authorized for the Management API with audience '{_credentials.Audience}' ({detail}). In the Auth0 dashboard open APIs → Auth0 Management API → Machine to Machine Applications, authorize the application and grant the read scopes; check credentials.audience is {new Uri(config.BaseUri, "api/v2/")} (the default).",
            (HttpStatusCode.NotFound, _) =>
                $"No token endpoint at {config.TokenUri} ({detail}). Check base_url: it must be the tenant's domain, like https://your-tenant.us.auth0.com.",
            (HttpStatusCode.BadRequest, _) =>
                $"The token request was refused ({detail}). Check credentials.client_id and credentials.audience.",
            _ => $"Fetching an access token from {config.TokenUri} failed ({detail}).",
        };
    }

    private static (string? Error, string? Description) ReadOAuthError(byte[] payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload, ServerJson.Options);
            var root = document.RootElement;
            return (root.StringProperty("error") ?? root.StringProperty("errorCode"), root.StringProperty("error_description") ?? root.StringProperty("message"));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    public void Dispose() => _fetchLock.Dispose();
}
