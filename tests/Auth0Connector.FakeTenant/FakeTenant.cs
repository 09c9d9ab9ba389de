using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using WireMock;
using WireMock.Logging;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace Auth0Connector.FakeTenant;

/// <summary>
/// An in-process fake of an Auth0 tenant's token endpoint and the Management API v2 endpoints the connector reads,
/// served by WireMock.Net on 127.0.0.1. Responses are computed per request from deterministic seeded data and are
/// thread-safe. Tests can add their own mappings to <see cref="Server"/> for scripted faults: any mapping with a
/// priority number lower than <see cref="MappingPriority"/> (WireMock's default, 0, included) wins over the fake.
/// </summary>
public sealed partial class FakeTenant : IDisposable
{
    /// <summary>WireMock priority of the fake's own mappings (lower numbers win; WireMock's default is 0).</summary>
    public const int MappingPriority = 1_000;

    private readonly ConcurrentDictionary<string, IssuedToken> _tokens = new(StringComparer.Ordinal);
    private readonly Func<string, string, (string Bucket, RateLimiter Limiter)> _limiterOf;
    private readonly ConcurrentDictionary<string, int[]> _perBucket = new(StringComparer.Ordinal);
    private readonly Lock _usersGate = new();
    private readonly List<JsonObject> _clients;
    private readonly List<JsonObject> _roles;
    private readonly List<OrganizationData> _organizations;
    private readonly Dictionary<string, OrganizationData> _organizationsById;
    private readonly JsonObject[] _organizationJson;
    private UserIndex _users;

    /// <summary>What the user search sees: <see cref="_users"/> minus the updates still pending (<see cref="FakeTenantOptions.SearchIndexLag"/>).</summary>
    private UserIndex _searchUsers;
    private int _tokenRequests;
    private int _tokenAttempts;
    private int _apiRequests;
    private int _requestsServed;
    private int _rateLimited;
    private int _disposed;

    private FakeTenant(FakeTenantOptions options)
    {
        Options = options;
        var (byUpdated, shared) = TenantData.GenerateUsers(options);
        var byId = (UserEntry[])byUpdated.Clone();
        Array.Sort(byId, UserIndex.CompareById);
        _users = new UserIndex(byUpdated, byId);
        _searchUsers = _users;
        SharedUpdatedAts = shared.Select(t => new DateTimeOffset(t, TimeSpan.Zero)).ToList();
        SharedUpdatedAt = SharedUpdatedAts.Count > 0 ? SharedUpdatedAts[0] : null;
        _roles = TenantData.GenerateRoles(options);
        _organizations = TenantData.GenerateOrganizations(options, byId, _roles);
        _organizationsById = _organizations.ToDictionary(o => o.Id, StringComparer.Ordinal);
        _organizationJson = [.. _organizations.Select(o => o.Json)];
        _clients = TenantData.GenerateClients(options);
        // The Management API's identifier as on a real tenant (the client grants name it so too): not the loopback URL, which changes every run.
        _resourceServers = new(() => GenerateResourceServers(options, $"https://{options.TenantName}.us.auth0.com/api/v2/"));
        _limiterOf = Limiters(options);
        Server = null!;
        BaseUrl = string.Empty;
    }

    /// <summary>The scopes a Management API client grant gives the connector by default (not <c>read:client_keys</c>).</summary>
    public static IReadOnlyList<string> AllScopes { get; } =
    [
        "read:users",
        "read:clients",
        "read:organizations",
        "read:organization_members",
        "read:organization_member_roles",
        "read:roles",
        "read:logs",
        "read:connections",
        "read:resource_servers",
        "read:client_grants",
        "read:actions",
        "read:log_streams",
        "read:stats",
        "read:tenant_settings",
        "read:signing_keys",
        "read:organization_invitations",
        "read:organization_connections",
        "read:groups",
        "read:group_members",
    ];

    /// <summary>e.g. <c>http://127.0.0.1:54321</c> (no trailing slash).</summary>
    public string BaseUrl { get; private set; }

    /// <summary>The only audience <c>POST /oauth/token</c> accepts: <c>{BaseUrl}/api/v2/</c>.</summary>
    public string Audience => BaseUrl + "/api/v2/";

    /// <summary>The WireMock server: add higher-priority mappings for scripted faults, read <c>LogEntries</c>.</summary>
    public WireMockServer Server { get; private set; }

    public FakeTenantOptions Options { get; }

    /// <summary>
    /// The users exactly as served, ordered by user_id (the API's default order). Each record is materialized on first
    /// access (about 10 µs each); a snapshot: call again after <see cref="UpdateUser"/>. Treat as read-only.
    /// </summary>
    public IReadOnlyList<JsonObject> Users => Volatile.Read(ref _users).JsonById;

    /// <summary>The user ids, ordered by user_id (cheap, unlike <see cref="Users"/> for 100,000 users).</summary>
    public IReadOnlyList<string> UserIds => Array.ConvertAll(Volatile.Read(ref _users).ById, e => e.Id);

    /// <summary>The users' (user_id, updated_at) ordered by (updated_at, user_id), as <c>sort=updated_at:1</c> serves them.</summary>
    public IReadOnlyList<(string UserId, DateTimeOffset UpdatedAt)> UsersByUpdatedAt =>
        Array.ConvertAll(Volatile.Read(ref _users).ByUpdated, e => (e.Id, new DateTimeOffset(e.UpdatedTicks, TimeSpan.Zero)));

    /// <summary>The clients as stored, <c>client_secret</c> included (it is served only with <c>read:client_keys</c>).</summary>
    public IReadOnlyList<JsonObject> Clients => _clients;

    /// <summary>The organizations exactly as served (empty without the Organizations feature).</summary>
    public IReadOnlyList<JsonObject> Organizations => _organizationJson;

    /// <summary>The tenant's role catalog (<c>GET /api/v2/roles</c>).</summary>
    public IReadOnlyList<JsonObject> RoleCatalog => _roles;

    /// <summary>The updated_at shared by <see cref="FakeTenantOptions.UsersSharingOneTimestamp"/> users, if seeded.</summary>
    public DateTimeOffset? SharedUpdatedAt { get; }

    /// <summary>Every updated_at shared by a block of users (<see cref="FakeTenantOptions.SharedTimestampBlocks"/>), in order.</summary>
    public IReadOnlyList<DateTimeOffset> SharedUpdatedAts { get; }

    /// <summary>POSTs to <c>/oauth/token</c> that succeeded.</summary>
    public int TokenRequestCount => Volatile.Read(ref _tokenRequests);

    /// <summary>Every POST to <c>/oauth/token</c>, refused ones included.</summary>
    public int TokenAttemptCount => Volatile.Read(ref _tokenAttempts);

    /// <summary>
    /// Requests to <c>/api/v2/*</c> that reached the fake (429s, errors and injected faults included):
    /// <see cref="RequestsServed"/> + <see cref="InjectedFaultCount"/>.
    /// </summary>
    public int ApiRequestCount => Volatile.Read(ref _apiRequests);

    /// <summary>Requests to <c>/api/v2/*</c> answered by the fake (429s and errors included, injected faults not).</summary>
    public int RequestsServed => Volatile.Read(ref _requestsServed);

    /// <summary>429 answers sent.</summary>
    public int RateLimitedCount => Volatile.Read(ref _rateLimited);

    /// <summary>Per rate-limit bucket (<c>global</c> without per-group buckets): requests served, and how many of them were 429s.</summary>
    public IReadOnlyDictionary<string, (int Served, int RateLimited)> ServedByBucket =>
        _perBucket.ToDictionary(p => p.Key, p => (Volatile.Read(ref p.Value[0]), Volatile.Read(ref p.Value[1])), StringComparer.Ordinal);

    /// <summary>Which limiter answers a request (method, path under /api/v2/): the plan's bucket of it, or the single global one.</summary>
    private static Func<string, string, (string, RateLimiter)> Limiters(FakeTenantOptions options)
    {
        if (options.RateLimitPlan is not { } plan)
        {
            var global = new RateLimiter(options.Time, options.RateLimitBucket, options.RateLimitRefillPerSecond);
            return (_, _) => ("global", global);
        }

        var limiters = plan.Buckets.ToDictionary(b => b.Name, b => new RateLimiter(options.Time, b.Burst, b.RefillPerSecond), StringComparer.Ordinal);
        return (method, path) =>
        {
            var bucket = plan.BucketOf(method, path);
            return (bucket.Name, limiters[bucket.Name]);
        };
    }

    public static FakeTenant Start(FakeTenantOptions? options = null)
    {
        var tenant = new FakeTenant(options ?? new FakeTenantOptions());
        tenant.StartServer();
        return tenant;
    }

    /// <summary>Members of an organization as served without <c>fields=roles</c>, ordered by user_id.</summary>
    public IReadOnlyList<JsonObject> MembersOf(string orgId) =>
        _organizationsById.TryGetValue(orgId, out var org)
            ? org.MemberJson
            : throw new KeyNotFoundException($"No organization {orgId}");

    /// <summary>The roles (<c>{id,name,description}</c>) a member has in an organization.</summary>
    public IReadOnlyList<JsonObject> RolesOf(string orgId, string userId)
    {
        if (!_organizationsById.TryGetValue(orgId, out var org))
        {
            throw new KeyNotFoundException($"No organization {orgId}");
        }

        return org.ByUserId.TryGetValue(userId, out var member)
            ? member.Roles
            : throw new KeyNotFoundException($"{userId} is not a member of {orgId}");
    }

    /// <summary>Registers a valid bearer token (the connector's access-token auth mode) without a token request.</summary>
    public string IssueToken(IEnumerable<string>? scopes = null, TimeSpan? lifetime = null)
    {
        string token = NewTokenValue();
        var expires = Options.Time.GetUtcNow() + (lifetime ?? Options.TokenLifetime);
        _tokens[token] = new IssuedToken(expires, (scopes ?? Options.GrantedScopes).ToFrozenSet(StringComparer.Ordinal));
        return token;
    }

    /// <summary>
    /// Removes every mapping a test added (scripted faults) and keeps the fake's own; the request log is kept.
    /// Use it instead of <c>Server.ResetMappings()</c>, which would remove the fake's mappings too.
    /// </summary>
    public void ResetFaults()
    {
        Server.ResetMappings();
        RegisterMappings();
    }

    /// <summary>Forgets every issued token: the next API call with any of them answers 401 "Invalid token".</summary>
    public void RevokeAllTokens() => _tokens.Clear();

    /// <summary>Sets a user's updated_at (truncated to the millisecond); the record is replaced, not mutated.</summary>
    /// <remarks>
    /// Every view sees the new version at once except the user search, which with
    /// <see cref="FakeTenantOptions.SearchIndexLag"/> keeps serving the previous one until the lag has passed.
    /// </remarks>
    public void UpdateUser(string userId, DateTimeOffset updatedAt)
    {
        lock (_usersGate)
        {
            var index = _users;
            var entry = index.Find(userId) ?? throw new KeyNotFoundException($"No user {userId}");
            long ticks = TenantData.TruncateToMilliseconds(updatedAt.UtcTicks);
            var updated = new UserEntry(entry.Record with { UpdatedTicks = ticks });
            var next = index.WithUser(updated);
            Volatile.Write(ref _users, next);
            PublishToSearch(index, next, updated);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (Server is not null)
        {
            Server.Stop();
            Server.Dispose();
        }
    }

    private static string NewTokenValue() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(48))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private void StartServer()
    {
        Exception? last = null;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            int port = Options.Port ?? FreePort();
            string url = $"http://127.0.0.1:{port}";
            try
            {
                Server = WireMockServer.Start(new WireMockServerSettings
                {
                    Urls = [url],
                    StartAdminInterface = false,
                    ReadStaticMappings = false,
                    Logger = new WireMockNullLogger(),
                });
                BaseUrl = url;
                break;
            }
            catch (Exception ex) when (Options.Port is null && ex is not OutOfMemoryException)
            {
                last = ex;
            }
        }

        if (Server is null)
        {
            throw new InvalidOperationException("Could not start the fake tenant on a free port.", last);
        }

        RegisterMappings();
    }

    private void RegisterMappings()
    {
        Server
            .Given(Request.Create().WithPath("/oauth/token").UsingPost())
            .AtPriority(MappingPriority)
            .RespondWith(Response.Create().WithCallback(Delayed(HandleToken)));

        Server
            .Given(Request.Create().WithPath(new WildcardMatcher("/api/v2/*")).UsingAnyMethod())
            .AtPriority(MappingPriority)
            .RespondWith(Response.Create().WithCallback(Delayed(HandleApi)));

        // The export files' "pre-signed" download links: no auth, no rate limit, no latency, no faults.
        Server
            .Given(Request.Create().WithPath(new WildcardMatcher(ExportsPathPrefix + "*")).UsingGet())
            .AtPriority(MappingPriority)
            .RespondWith(Response.Create().WithCallback(HandleExportDownload));
    }

    private ResponseMessage HandleToken(IRequestMessage req)
    {
        static ResponseMessage OAuthError(int status, string error, string description) =>
            Http.Json(status, new JsonObject { ["error"] = error, ["error_description"] = description }, NoStore);

        Interlocked.Increment(ref _tokenAttempts);

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        string body = Http.BodyText(req);
        string? contentType = Http.Header(req, "Content-Type");
        bool json = (contentType?.Contains("json", StringComparison.OrdinalIgnoreCase) ?? false) || body.TrimStart().StartsWith('{');
        if (json)
        {
            try
            {
                if (JsonNode.Parse(body) is not JsonObject obj)
                {
                    return OAuthError(400, "invalid_request", "The request body must be a JSON object");
                }

                foreach (var (key, value) in obj)
                {
                    fields[key] = value is JsonValue v && v.TryGetValue(out string? s) ? s : value?.ToJsonString() ?? string.Empty;
                }
            }
            catch (System.Text.Json.JsonException)
            {
                return OAuthError(400, "invalid_request", "Invalid JSON in the request body");
            }
        }
        else
        {
            fields = Http.ParseQuery(body);
        }

        // Another connector's bug was sending a refresh_token with client credentials.
        if (fields.ContainsKey("refresh_token"))
        {
            return OAuthError(400, "invalid_request", "refresh_token is not allowed with the client_credentials grant");
        }

        if (!fields.TryGetValue("grant_type", out var grantType) || string.IsNullOrEmpty(grantType))
        {
            return OAuthError(400, "invalid_request", "Missing required parameter: grant_type");
        }

        if (grantType != "client_credentials")
        {
            return OAuthError(403, "unauthorized_client", $"Grant type '{grantType}' not allowed for the client.");
        }

        foreach (var required in (string[])["client_id", "client_secret", "audience"])
        {
            if (!fields.TryGetValue(required, out var value) || string.IsNullOrEmpty(value))
            {
                return OAuthError(400, "invalid_request", $"Missing required parameter: {required}");
            }
        }

        if (fields["client_id"] != Options.ClientId || fields["client_secret"] != Options.ClientSecret)
        {
            return OAuthError(401, "access_denied", "Unauthorized");
        }

        if (Options.ClientCredentialsGrantDisabled)
        {
            return OAuthError(403, "unauthorized_client", "Grant type 'client_credentials' not allowed for the client.");
        }

        string audience = fields["audience"];
        if (audience != Audience)
        {
            return OAuthError(403, "access_denied", $"Service not enabled within domain: {audience}");
        }

        if (Options.ClientGrantMissing)
        {
            return OAuthError(403, "access_denied", $"Client is not authorized to access \"{Audience}\". You need to create a \"client-grant\" associated to this API. See: https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants");
        }

        var scopes = Options.GrantedScopes;
        string token = IssueToken(scopes, Options.TokenLifetime);
        Interlocked.Increment(ref _tokenRequests);
        return Http.Json(200, new JsonObject
        {
            ["access_token"] = token,
            ["expires_in"] = (long)Options.TokenLifetime.TotalSeconds,
            ["scope"] = string.Join(' ', scopes),
            ["token_type"] = "Bearer",
        }, NoStore);
    }

    private static readonly KeyValuePair<string, string>[] NoStore =
    [
        new("Cache-Control", "no-store"),
        new("Pragma", "no-cache"),
    ];

    private sealed record IssuedToken(DateTimeOffset ExpiresAt, FrozenSet<string> Scopes);
}
