using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using WireMock;

namespace Auth0Connector.FakeTenant;

public sealed partial class FakeTenant
{
    private const int OffsetWindow = 1000;
    private const int DefaultPerPage = 50;
    private const int MaxTake = 100;

    private const string UsersCapMessage =
        "You can only page through the first 1000 records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation";

    private const string OrganizationsCapMessage = "Requesting page exceeds the allowed maximum of 1000 records";

    private static readonly string[] ClientKeyFields = ["client_secret", "encryption_key", "signing_keys"];

    internal const string SearchTimeoutMessage = "The query exceeded the time limit. Please refine your search criteria.";

    private int _searchTimeouts;

    /// <summary>User searches answered 503 for running past the time limit (<see cref="FakeTenantOptions.SearchTimeoutMatches"/>).</summary>
    public int SearchTimeoutCount => Volatile.Read(ref _searchTimeouts);

    private ResponseMessage HandleApi(IRequestMessage req)
    {
        Interlocked.Increment(ref _apiRequests);

        // An injected fault fails the request before it is served: no rate-limit token, no state change.
        if (NextInjectedFault() is { } fault)
        {
            return fault;
        }

        Interlocked.Increment(ref _requestsServed);
        var (bucket, limiter) = _limiterOf(req.Method, req.Path.StartsWith("/api/v2/", StringComparison.Ordinal) ? req.Path[8..] : req.Path);
        var counts = _perBucket.GetOrAdd(bucket, _ => new int[2]);
        Interlocked.Increment(ref counts[0]);
        var decision = limiter.Take();
        var headers = decision.Headers(Options.SendRetryAfter).ToArray();
        if (!decision.Allowed)
        {
            Interlocked.Increment(ref _rateLimited);
            Interlocked.Increment(ref counts[1]);
            return Http.Json(429, Http.ApiError(429, "Too Many Requests", "Global limit has been reached", "too_many_requests"), headers);
        }

        var call = new ApiCall(req, headers);
        if (!Authenticate(call, out var error))
        {
            return error;
        }

        // Path is already percent-decoded by WireMock: "auth0%7C64a1..." arrives as "auth0|64a1...".
        string[] segments = req.Path.Split('/');
        if (segments.Length < 4 || segments[1] != "api" || segments[2] != "v2")
        {
            return NotFound(call);
        }

        var route = segments.AsSpan(3);
        if (string.Equals(req.Method, "POST", StringComparison.OrdinalIgnoreCase))
        {
            return route is ["jobs", "users-exports"] ? PostUsersExport(call) : NotFound(call);
        }

        if (string.Equals(req.Method, "DELETE", StringComparison.OrdinalIgnoreCase))
        {
            return route is ["users", var user] && user.Length > 0 ? DeleteUserCall(call, user) : NotFound(call);
        }

        if (!string.Equals(req.Method, "GET", StringComparison.OrdinalIgnoreCase))
        {
            return NotFound(call);
        }

        return route switch
        {
            ["clients"] => GetClients(call),
            ["roles"] => GetRoles(call),
            ["roles", var role, "users"] when role.Length > 0 => GetRoleUsers(call, role),
            ["roles", var role, "permissions"] when role.Length > 0 => GetRolePermissions(call, role),
            ["roles", var role, "groups"] when role.Length > 0 => GetRoleGroups(call, role),
            ["groups"] => GetGroups(call),
            ["groups", var group, "members"] when group.Length > 0 => GetGroupMembers(call, group),
            ["resource-servers"] => GetResourceServers(call),
            ["users"] => GetUsers(call),
            ["organizations"] => GetOrganizations(call),
            ["organizations", var org, "members"] when org.Length > 0 => GetMembers(call, org),
            ["organizations", var org, "members", var user, "roles"] when org.Length > 0 && user.Length > 0 => GetMemberRoles(call, org, user),
            ["connections"] => GetConnections(call),
            ["client-grants"] => GetClientGrants(call),
            ["actions", "actions"] => GetActions(call),
            ["log-streams"] => GetLogStreams(call),
            ["stats", "daily"] => GetDailyStats(call),
            ["tenants", "settings"] => GetTenantSettings(call),
            ["keys", "signing"] => GetSigningKeys(call),
            ["organizations", var org, "invitations"] when org.Length > 0 => GetInvitations(call, org),
            ["organizations", var org, "enabled_connections"] when org.Length > 0 => GetEnabledConnections(call, org),
            ["jobs", var job] when job.Length > 0 && job != "users-exports" => GetJob(call, job),
            ["logs"] => GetLogs(call),
            ["logs", var log] when log.Length > 0 => GetLog(call, log),
            _ => NotFound(call),
        };
    }

    private static ResponseMessage NotFound(ApiCall call) =>
        call.Reply(404, Http.ApiError(404, "Not Found", "Not Found"));

    private bool Authenticate(ApiCall call, out ResponseMessage error)
    {
        error = null!;
        string? header = Http.Header(call.Request, "Authorization");
        string? token = header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? header[7..].Trim()
            : null;
        if (string.IsNullOrEmpty(token) || !_tokens.TryGetValue(token, out var issued))
        {
            error = Unauthorized(call, "Invalid token");
            return false;
        }

        if (Options.Time.GetUtcNow() >= issued.ExpiresAt)
        {
            error = Unauthorized(call, "Expired token received for JSON Web Token validation");
            return false;
        }

        call.Scopes = issued.Scopes;
        return true;
    }

    private static ResponseMessage Unauthorized(ApiCall call, string message)
    {
        var body = Http.ApiError(401, "Unauthorized", message);
        body["attributes"] = new JsonObject { ["error"] = message };
        return call.Reply(401, body);
    }

    /// <summary>403 unless the token has one of <paramref name="anyOf"/>.</summary>
    private static bool RequireScope(ApiCall call, out ResponseMessage error, params string[] anyOf)
    {
        error = null!;
        if (anyOf.Any(call.Scopes.Contains))
        {
            return true;
        }

        error = call.Reply(403, Http.ApiError(403, "Forbidden", "Insufficient scope, expected any of: " + string.Join(',', anyOf), "insufficient_scope"));
        return false;
    }

    // ---------------------------------------------------------------- endpoints

    private ResponseMessage GetClients(ApiCall call)
    {
        if (!RequireScope(call, out var error, "read:clients", "read:client_keys"))
        {
            return error;
        }

        bool keys = call.Scopes.Contains("read:client_keys");
        var projection = Projection.From(call.Query);
        void Write(Utf8JsonWriter w, JsonObject c) =>
            Http.WriteProjected(w, c, projection, keys ? null : f => ClientKeyFields.Contains(f));

        if (IsCheckpoint(call))
        {
            return Checkpoint(call, "clients", "cli", _clients.Count, i => _clients[i], Write, nextOnShortLastPage: false);
        }

        return Offset(call, "clients", UsersCapMessage, _clients.Count, i => _clients[i], Write, withLength: false);
    }

    private ResponseMessage GetRoles(ApiCall call)
    {
        // The [OAS] parameters of GET /roles: no fields projection.
        if (!RequireScope(call, out var error, "read:roles")
            || !RequireDeclaredParameters(call, out error, "per_page", "page", "include_totals", "name_filter"))
        {
            return error;
        }

        var projection = Projection.All;
        return Offset(call, "roles", UsersCapMessage, _roles.Count, i => _roles[i], (w, r) => Http.WriteProjected(w, r, projection), withLength: false);
    }

    private ResponseMessage GetOrganizations(ApiCall call)
    {
        if (!RequireScope(call, out var error, "read:organizations"))
        {
            return error;
        }

        var projection = Projection.From(call.Query);
        void Write(Utf8JsonWriter w, JsonObject o) => Http.WriteProjected(w, o, projection);
        if (IsCheckpoint(call))
        {
            return Checkpoint(call, "organizations", "org", _organizationJson.Length, i => _organizationJson[i], Write, nextOnShortLastPage: false);
        }

        return Offset(call, "organizations", OrganizationsCapMessage, _organizationJson.Length, i => _organizationJson[i], Write, withLength: false);
    }

    private ResponseMessage GetMembers(ApiCall call, string orgId)
    {
        if (!RequireScope(call, out var error, "read:organization_members"))
        {
            return error;
        }

        var projection = Projection.From(call.Query);
        bool withRoles = projection.Has("roles");
        if (withRoles && !RequireScope(call, out error, "read:organization_member_roles"))
        {
            return error;
        }

        if (!_organizationsById.TryGetValue(orgId, out var org))
        {
            return call.Reply(404, Http.ApiError(404, "Not Found", "No organization found by that id or name"));
        }

        var members = org.Members;
        void Write(Utf8JsonWriter w, int i)
        {
            var m = members[i];
            w.WriteStartObject();
            Http.WriteProjectedProperties(w, m.Json, projection);

            if (withRoles)
            {
                w.WriteStartArray("roles");
                foreach (var role in m.Roles)
                {
                    w.WriteStartObject();
                    w.WritePropertyName("id");
                    role["id"]!.WriteTo(w);
                    w.WritePropertyName("name");
                    role["name"]!.WriteTo(w);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        if (IsCheckpoint(call))
        {
            return CheckpointIndexed(call, "members", "mem:" + orgId, members.Length, Write, nextOnShortLastPage: true);
        }

        return OffsetIndexed(call, "members", OrganizationsCapMessage, members.Length, Write, withLength: false);
    }

    private ResponseMessage GetMemberRoles(ApiCall call, string orgId, string userId)
    {
        if (!RequireScope(call, out var error, "read:organization_member_roles"))
        {
            return error;
        }

        if (!_organizationsById.TryGetValue(orgId, out var org))
        {
            return call.Reply(404, Http.ApiError(404, "Not Found", "No organization found by that id or name"));
        }

        // Inferred: a user id that is not a member (e.g. a double-encoded "auth0%7C...") answers 404, so encoding
        // bugs show up instead of silently yielding no roles.
        if (!org.ByUserId.TryGetValue(userId, out var member))
        {
            return call.Reply(404, Http.ApiError(404, "Not Found", "No member found by that id in the organization"));
        }

        var roles = member.Roles;
        var projection = Projection.From(call.Query);
        return Offset(call, "roles", UsersCapMessage, roles.Length, i => roles[i], (w, r) => Http.WriteProjected(w, r, projection), withLength: false);
    }

    private ResponseMessage GetUsers(ApiCall call)
    {
        if (!RequireScope(call, out var error, "read:users"))
        {
            return error;
        }

        if (!TryOffset(call, UsersCapMessage, out var page, out error))
        {
            return error;
        }

        if (!UserQuery.TryParse(call.Query.GetValueOrDefault("q"), out var filter))
        {
            return call.Reply(400, Http.BadRequest("Invalid query string"));
        }

        // The search index, which may still hold users' previous versions (SearchIndexLag).
        var index = SearchIndex();
        int lo = filter.Lower is long a ? (filter.LowerInclusive ? index.LowerBound(a) : index.UpperBound(a)) : 0;
        int hi = filter.Upper is long b ? (filter.UpperInclusive ? index.UpperBound(b) : index.LowerBound(b)) : index.ByUpdated.Length;
        hi = Math.Max(lo, hi);
        int total = hi - lo;
        if (Options.SearchTimeoutMatches is int limit && total > limit && call.Query.ContainsKey("q"))
        {
            Interlocked.Increment(ref _searchTimeouts);

            // Inferred body: Auth0 documents the status (503) of a search that runs past its time limit, not its words.
            return call.Reply(503, Http.ApiError(503, "Service Unavailable", SearchTimeoutMessage, "query_timeout"));
        }

        Func<int, UserRecord> at;
        string sort = call.Query.GetValueOrDefault("sort") ?? string.Empty;
        if (sort.Length == 0)
        {
            var byId = index.SliceById(lo, hi);
            at = i => byId[i].Record;
        }
        else
        {
            int colon = sort.LastIndexOf(':');
            string field = colon < 0 ? sort : sort[..colon];
            string dir = colon < 0 ? string.Empty : sort[(colon + 1)..];
            if (field.Length == 0 || (dir != "1" && dir != "-1"))
            {
                return call.Reply(400, Http.BadRequest("Query validation error: 'String does not match pattern ^(([a-zA-Z0-9_\\.]+))\\:(1|-1)$' on property sort (Field to sort by. Use field:order where order is 1 for ascending and -1 for descending.)."));
            }

            // Inferred: sorting by a field the search cannot sort on is a 400, as Elasticsearch refuses it.
            if (UserRecord.SortKey(field) is not { } key)
            {
                return call.Reply(400, Http.BadRequest($"Cannot sort by field {field}"));
            }

            bool asc = dir == "1";
            UserEntry[] ordered = field switch
            {
                "updated_at" => index.ByUpdated,
                "user_id" => index.SliceById(lo, hi),
                _ => SortBy(index.ByUpdated[lo..hi], key),
            };
            int offset = field == "updated_at" ? lo : 0;
            at = asc ? i => ordered[offset + i].Record : i => ordered[offset + total - 1 - i].Record;
        }

        var projection = Projection.From(call.Query);
        return WriteOffset(call, "users", page, total, (w, i) => at(i).Write(w, projection), withLength: true);
    }

    /// <summary>Ascending by the key (absent values last), ties by user_id.</summary>
    private static UserEntry[] SortBy(UserEntry[] items, Func<UserRecord, IComparable?> key)
    {
        var keys = Array.ConvertAll(items, e => key(e.Record));
        var order = Enumerable.Range(0, items.Length).ToArray();
        Array.Sort(order, (x, y) =>
        {
            var (a, b) = (keys[x], keys[y]);
            int c = a is null ? (b is null ? 0 : 1) : b is null ? -1 : a.CompareTo(b);
            return c != 0 ? c : string.CompareOrdinal(items[x].Id, items[y].Id);
        });
        return Array.ConvertAll(order, i => items[i]);
    }

    // ---------------------------------------------------------------- pagination

    private static bool IsCheckpoint(ApiCall call) => call.Query.ContainsKey("take") || call.Query.ContainsKey("from");

    /// <summary>An offset request: the page, the size served (<see cref="FakeTenantOptions.SilentPageCap"/> applied) and the size asked.</summary>
    private readonly record struct OffsetPage(int Page, int PerPage, bool IncludeTotals, int Asked);

    /// <summary>The page size served for <paramref name="asked"/>: <see cref="FakeTenantOptions.SilentPageCap"/> applied, silently.</summary>
    private int Served(int asked) => Options.SilentPageCap is { } cap ? Math.Min(asked, cap) : asked;

    /// <summary>The <c>total</c> the tenant reports for a listing of <paramref name="count"/> (<see cref="FakeTenantOptions.OverstatedTotal"/>).</summary>
    private int Reported(int count) => count + Options.OverstatedTotal;

    private bool TryOffset(ApiCall call, string capMessage, out OffsetPage page, out ResponseMessage error)
    {
        page = default;
        error = null!;
        int perPage = DefaultPerPage;
        int pageNo = 0;
        bool totals = false;
        int max = Options.MaxPerPage;
        if (call.Query.TryGetValue("per_page", out var rawPerPage))
        {
            if (!int.TryParse(rawPerPage, NumberStyles.Integer, CultureInfo.InvariantCulture, out perPage))
            {
                error = call.Reply(400, Http.BadRequest("Query validation error: 'Expected type integer but found type string' on property per_page (Number of results per page. Defaults to 50.)."));
                return false;
            }

            if (perPage > max)
            {
                error = call.Reply(400, Http.BadRequest($"Query validation error: 'Too big: must be at most {max}' on property per_page (Number of results per page. Defaults to 50.)."));
                return false;
            }

            if (perPage < 1)
            {
                error = call.Reply(400, Http.BadRequest("Query validation error: 'Too small: must be at least 1' on property per_page (Number of results per page. Defaults to 50.)."));
                return false;
            }
        }

        if (call.Query.TryGetValue("page", out var rawPage))
        {
            if (!int.TryParse(rawPage, NumberStyles.Integer, CultureInfo.InvariantCulture, out pageNo))
            {
                error = call.Reply(400, Http.BadRequest("Query validation error: 'Expected type integer but found type string' on property page (Page index of the results to return. First page is 0.)."));
                return false;
            }

            if (pageNo < 0)
            {
                error = call.Reply(400, Http.BadRequest("Query validation error: 'Too small: must be at least 0' on property page (Page index of the results to return. First page is 0.)."));
                return false;
            }
        }

        if (call.Query.TryGetValue("include_totals", out var rawTotals))
        {
            if (string.Equals(rawTotals, "true", StringComparison.OrdinalIgnoreCase))
            {
                totals = true;
            }
            else if (!string.Equals(rawTotals, "false", StringComparison.OrdinalIgnoreCase))
            {
                error = call.Reply(400, Http.BadRequest("Query validation error: 'Expected type boolean but found type string' on property include_totals (Return results inside an object that contains the total result count (true) or as a direct array of results (false, default))."));
                return false;
            }
        }

        int asked = perPage;
        perPage = Served(perPage);
        if ((long)(pageNo + 1) * perPage > OffsetWindow)
        {
            error = call.Reply(400, Http.BadRequest(capMessage, "invalid_paging"));
            return false;
        }

        page = new OffsetPage(pageNo, perPage, totals, asked);
        return true;
    }

    private ResponseMessage Offset(ApiCall call, string key, string capMessage, int total, Func<int, JsonObject> at, Action<Utf8JsonWriter, JsonObject> write, bool withLength) =>
        OffsetIndexed(call, key, capMessage, total, (w, i) => write(w, at(i)), withLength);

    private ResponseMessage OffsetIndexed(ApiCall call, string key, string capMessage, int total, Action<Utf8JsonWriter, int> write, bool withLength)
    {
        if (!TryOffset(call, capMessage, out var page, out var error))
        {
            return error;
        }

        return WriteOffset(call, key, page, total, write, withLength);
    }

    private ResponseMessage WriteOffset(ApiCall call, string key, OffsetPage page, int total, Action<Utf8JsonWriter, int> write, bool withLength)
    {
        long startLong = (long)page.Page * page.PerPage;
        int start = (int)Math.Min(startLong, total);
        int count = Math.Clamp(total - start, 0, page.PerPage);
        return call.Reply(200, w =>
        {
            if (page.IncludeTotals)
            {
                w.WriteStartObject();
                w.WriteNumber("start", startLong);
                w.WriteNumber("limit", page.Asked);
                if (withLength)
                {
                    w.WriteNumber("length", count);
                }

                w.WriteStartArray(key);
            }
            else
            {
                w.WriteStartArray();
            }

            for (int i = 0; i < count; i++)
            {
                write(w, start + i);
            }

            w.WriteEndArray();
            if (page.IncludeTotals)
            {
                w.WriteNumber("total", Reported(total));
                w.WriteEndObject();
            }
        });
    }

    private ResponseMessage Checkpoint(ApiCall call, string key, string kind, int total, Func<int, JsonObject> at, Action<Utf8JsonWriter, JsonObject> write, bool nextOnShortLastPage) =>
        CheckpointIndexed(call, key, kind, total, (w, i) => write(w, at(i)), nextOnShortLastPage);

    /// <summary>
    /// Checkpoint pagination: <c>take</c> (1..100, default 50) and an opaque <c>from</c>. With
    /// <paramref name="nextOnShortLastPage"/> (the members quirk) every non-empty page carries a <c>next</c>, so the
    /// call after the last page answers an empty list without one.
    /// </summary>
    private ResponseMessage CheckpointIndexed(ApiCall call, string key, string kind, int total, Action<Utf8JsonWriter, int> write, bool nextOnShortLastPage)
    {
        int take = DefaultPerPage;
        if (call.Query.TryGetValue("take", out var rawTake))
        {
            if (!int.TryParse(rawTake, NumberStyles.Integer, CultureInfo.InvariantCulture, out take))
            {
                return call.Reply(400, Http.BadRequest("Query validation error: 'Expected type integer but found type string' on property take (Number of results per page. Defaults to 50.)."));
            }

            if (take > MaxTake)
            {
                return call.Reply(400, Http.BadRequest($"Query validation error: 'Too big: must be at most {MaxTake}' on property take (Number of results per page. Defaults to 50.)."));
            }

            if (take < 1)
            {
                return call.Reply(400, Http.BadRequest("Query validation error: 'Too small: must be at least 1' on property take (Number of results per page. Defaults to 50.)."));
            }
        }

        int start = 0;
        if (call.Query.TryGetValue("from", out var from) && from.Length > 0)
        {
            if (!TryDecodeCursor(from, kind, total, out start))
            {
                return call.Reply(400, Http.BadRequest("Query validation error: 'Invalid checkpoint' on property from (Optional Id from which to start selection)."));
            }
        }

        int count = Math.Clamp(total - start, 0, Served(take));
        int end = start + count;
        bool hasNext = nextOnShortLastPage ? count > 0 : end < total;
        return call.Reply(200, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray(key);
            for (int i = start; i < end; i++)
            {
                write(w, i);
            }

            w.WriteEndArray();
            if (hasNext)
            {
                w.WriteString("next", EncodeCursor(kind, end));
            }

            w.WriteEndObject();
        });
    }

    private static string EncodeCursor(string kind, int index) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{kind}:{index}")));

    private static bool TryDecodeCursor(string cursor, string kind, int total, out int index)
    {
        index = 0;
        try
        {
            string text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            int colon = text.LastIndexOf(':');
            return colon > 0
                && text[..colon] == kind
                && int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out index)
                && index <= total;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>One API request: its query, the token's scopes, and the rate-limit headers every answer carries.</summary>
    private sealed class ApiCall(IRequestMessage request, KeyValuePair<string, string>[] headers)
    {
        public IRequestMessage Request { get; } = request;

        public Dictionary<string, string> Query { get; } = Http.ParseQuery(request.RawQuery);

        public IReadOnlySet<string> Scopes { get; set; } = new HashSet<string>();

        /// <summary>The headers every answer carries (the rate limit's).</summary>
        public KeyValuePair<string, string>[] Headers => headers;

        public ResponseMessage Reply(int status, JsonNode body) => Http.Json(status, body, headers);

        public ResponseMessage Reply(int status, Action<Utf8JsonWriter> write) => Http.Json(status, write, headers);
    }
}
