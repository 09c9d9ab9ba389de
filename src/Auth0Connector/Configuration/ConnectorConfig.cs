using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Auth0Connector.Configuration;

/// <summary>How the connector authenticates to the Management API.</summary>
internal abstract record Credentials;

/// <summary>An M2M application's client credentials; tokens are fetched and renewed.</summary>
internal sealed record ClientCredentials(string ClientId, string ClientSecret, string Audience) : Credentials
{
    // Records print their members: keep the secret out of any ToString().
    public override string ToString() => $"ClientCredentials {{ ClientId = {ClientId}, Audience = {Audience} }}";
}

/// <summary>A pasted Management API access token.</summary>
internal sealed record AccessToken(string Token) : Credentials
{
    public override string ToString() => "AccessToken { Token = *** }";
}

/// <summary>
/// The validated connector configuration. Accepts Airbyte source-auth0's config unchanged
/// (base_url, credentials, start_date) plus our optional tuning settings.
/// </summary>
internal sealed record ConnectorConfig
{
    public const int DefaultPageSize = 100;
    public const int DefaultMaxRetries = 6;
    public const int DefaultMaxConcurrency = 4;
    public const int DefaultLookbackSeconds = 300;
    public const int DefaultRequestTimeoutSeconds = 60;

    /// <summary>
    /// Silence after which a response whose body stopped arriving is abandoned: Auth0 sends a body
    /// right after its headers, and with the default retries a tenant that stalls every attempt
    /// fails the read in well under two minutes (<c>RetryPolicy.StalledRequestBound</c>).
    /// </summary>
    public const int DefaultStallTimeoutSeconds = 10;
    public const int DefaultUsersExportTimeoutHours = 12;

    /// <summary>The range of <c>requests_per_second</c>: one request per 100 s up to far beyond any tenant's limit.</summary>
    public const double MinRequestsPerSecond = 0.01;

    public const double MaxRequestsPerSecond = 1000;

    /// <summary>The tenant root, always ending in '/'.</summary>
    public required Uri BaseUri { get; init; }

    public required Credentials Credentials { get; init; }

    public DateTimeOffset? StartDate { get; init; }

    public int PageSize { get; init; } = DefaultPageSize;

    public int MaxRetries { get; init; } = DefaultMaxRetries;

    public double? RequestsPerSecond { get; init; }

    /// <summary>
    /// How far before the saved cursor an incremental users sync starts again: Auth0's user search
    /// is eventually consistent, so a user updated just before the previous sync may have been
    /// missing from it while a later update was already visible.
    /// </summary>
    public TimeSpan Lookback { get; init; } = TimeSpan.FromSeconds(DefaultLookbackSeconds);

    /// <summary>One attempt of one request, body included (<c>request_timeout_seconds</c>).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(DefaultRequestTimeoutSeconds);

    /// <summary>How long a response body may go without a byte before the attempt is abandoned (<c>stall_timeout_seconds</c>).</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(DefaultStallTimeoutSeconds);

    /// <summary>
    /// How long a users export may take, its job and its download each (<c>users_export_timeout_hours</c>): Auth0
    /// runs the job for as long as the tenant needs, hours on a large one.
    /// </summary>
    public TimeSpan UsersExportTimeout { get; init; } = TimeSpan.FromHours(DefaultUsersExportTimeoutHours);

    /// <summary>How many organizations (or members) the fan-out streams read at once.</summary>
    public int MaxConcurrency { get; init; } = DefaultMaxConcurrency;

    /// <summary>The Management API root, <c>{base}/api/v2/</c>.</summary>
    public Uri ApiBaseUri => new(BaseUri, "api/v2/");

    /// <summary>The token endpoint, joined as a URL (never by string concatenation).</summary>
    public Uri TokenUri => new(BaseUri, "oauth/token");

    public static ConnectorConfig Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigException("config", $"The config must be a JSON object, not {JsonInput.Describe(root)}.");
        }

        var baseUri = ParseBaseUrl(JsonInput.RequireString(root, "base_url", "base_url"));
        var credentials = ParseCredentials(JsonInput.RequireObject(root, "credentials", "credentials"), baseUri);
        return new ConnectorConfig
        {
            BaseUri = baseUri,
            Credentials = credentials,
            StartDate = ParseStartDate(JsonInput.OptionalString(root, "start_date", "start_date")),
            PageSize = JsonInput.OptionalInt(root, "page_size", "page_size", DefaultPageSize, 1, 100),
            MaxRetries = JsonInput.OptionalInt(root, "max_retries", "max_retries", DefaultMaxRetries, 0, 20),
            RequestsPerSecond = JsonInput.OptionalNumber(root, "requests_per_second", "requests_per_second", MinRequestsPerSecond, MaxRequestsPerSecond),
            MaxConcurrency = JsonInput.OptionalInt(root, "max_concurrency", "max_concurrency", DefaultMaxConcurrency, 1, 16),
            Lookback = TimeSpan.FromSeconds(JsonInput.OptionalInt(root, "lookback_window_seconds", "lookback_window_seconds", DefaultLookbackSeconds, 0, 7 * 24 * 3600)),
            RequestTimeout = TimeSpan.FromSeconds(JsonInput.OptionalInt(root, "request_timeout_seconds", "request_timeout_seconds", DefaultRequestTimeoutSeconds, 5, 600)),
            StallTimeout = TimeSpan.FromSeconds(JsonInput.OptionalInt(root, "stall_timeout_seconds", "stall_timeout_seconds", DefaultStallTimeoutSeconds, 1, 600)),
            UsersExportTimeout = TimeSpan.FromHours(JsonInput.OptionalInt(root, "users_export_timeout_hours", "users_export_timeout_hours", DefaultUsersExportTimeoutHours, 1, 72)),
        };
    }

    /// <summary>
    /// The tenant root from <c>base_url</c>. Errors never quote the text: it may hold a password
    /// (<c>https://user:password@host</c>) or a secret pasted into the wrong field.
    /// </summary>
    internal static Uri ParseBaseUrl(string text)
    {
        const string Example = "https://your-tenant.us.auth0.com";
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ConfigException("base_url", $"'base_url' must be your tenant's https URL, like {Example}; the value given is not an https URL.");
        }

        if (!string.IsNullOrEmpty(uri.UserInfo) || text.Contains('@', StringComparison.Ordinal))
        {
            throw new ConfigException("base_url", $"'base_url' must not contain a user name or password ('user:password@'): the connector authenticates with the credentials fields. Use the tenant's root URL, like {Example}.");
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !IsLoopback(uri))
        {
            throw new ConfigException("base_url", $"'base_url' must use https (Auth0 serves its API only over TLS), not http://{uri.Authority}. Plain http is accepted only for a local test tenant on 127.0.0.1 or localhost.");
        }

        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw new ConfigException("base_url", $"'base_url' must be the tenant's root URL, like {Example}, without a query or fragment.");
        }

        var path = uri.AbsolutePath.TrimEnd('/');
        if (path.Length > 0)
        {
            throw new ConfigException("base_url", $"'base_url' must be the tenant's root URL, like {Example}, without a path; remove '{uri.AbsolutePath}'.");
        }

        return new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    private static Credentials ParseCredentials(JsonElement credentials, Uri baseUri)
    {
        var authType = JsonInput.OptionalString(credentials, "auth_type", "credentials.auth_type");
        switch (authType)
        {
            case "oauth2_confidential_application":
                var audience = JsonInput.OptionalString(credentials, "audience", "credentials.audience") ?? new Uri(baseUri, "api/v2/").ToString();
                if (!Uri.TryCreate(audience, UriKind.Absolute, out _))
                {
                    throw new ConfigException("credentials.audience", $"'credentials.audience' must be the Management API identifier, an absolute URL like {new Uri(baseUri, "api/v2/")}; the value given is not one. Leave it out to use that default.");
                }

                return new ClientCredentials(
                    JsonInput.RequireCredential(credentials, "client_id", "credentials.client_id"),
                    JsonInput.RequireCredential(credentials, "client_secret", "credentials.client_secret"),
                    audience);
            case "oauth2_access_token":
                return new AccessToken(JsonInput.RequireCredential(credentials, "access_token", "credentials.access_token"));
            case null:
                // Older configs may omit auth_type: infer it from the fields present.
                if (credentials.TryGetProperty("access_token", out _) && !credentials.TryGetProperty("client_id", out _))
                {
                    return new AccessToken(JsonInput.RequireCredential(credentials, "access_token", "credentials.access_token"));
                }

                if (credentials.TryGetProperty("client_id", out _))
                {
                    goto case "oauth2_confidential_application";
                }

                throw new ConfigException("credentials.auth_type", "'credentials.auth_type' is missing: set it to 'oauth2_confidential_application' (with client_id and client_secret) or 'oauth2_access_token' (with access_token).");
            default:
                throw new ConfigException("credentials.auth_type", $"'credentials.auth_type' has a value that is not supported: use 'oauth2_confidential_application' (with client_id and client_secret) or 'oauth2_access_token' (with access_token).");
        }
    }

    private static DateTimeOffset? ParseStartDate(string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (JsonInput.TryParseIso8601(text) is { } value)
        {
            return value;
        }

        throw new ConfigException("start_date", $"'start_date' is '{text}', which is not an ISO-8601 date-time; use a value like 2023-08-05T00:43:59.244Z, or leave it out to read every user.");
    }
}
