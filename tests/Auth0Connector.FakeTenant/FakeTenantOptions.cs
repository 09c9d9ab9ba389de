namespace Auth0Connector.FakeTenant;

/// <summary>
/// Shape of the fake Auth0 tenant: how much data it seeds, which credentials it accepts, and how it limits.
/// Everything is deterministic for a given <see cref="Seed"/> (except issued access tokens, which are random).
/// </summary>
public sealed class FakeTenantOptions
{
    /// <summary>Number of users to seed.</summary>
    public int Users { get; set; } = 300;

    /// <summary>Number of organizations to seed (ignored when <see cref="OrganizationsFeature"/> is false).</summary>
    public int Organizations { get; set; } = 7;

    /// <summary>Members per organization, drawn from the users (capped at <see cref="Users"/>).</summary>
    public int MembersPerOrganization { get; set; } = 20;

    /// <summary>Members carry a field Auth0 does not send today (<c>joined_at</c>), as a future API version might.</summary>
    public bool MembersCarryNewField { get; set; }

    /// <summary>Roles each member gets from the role catalog (clamped to 0..<see cref="Roles"/>).</summary>
    public int RolesPerMember { get; set; } = 2;

    /// <summary>Size of the tenant's role catalog (<c>GET /api/v2/roles</c>).</summary>
    public int Roles { get; set; } = 5;

    /// <summary>Users each role of the catalog is assigned (<c>GET /api/v2/roles/{id}/users</c>), drawn from the users.</summary>
    public int UsersPerRole { get; set; } = 10;

    /// <summary>Users of the catalog's first role instead of <see cref="UsersPerRole"/> (e.g. beyond 1000). Null: <see cref="UsersPerRole"/>.</summary>
    public int? UsersInFirstRole { get; set; }

    /// <summary>Permissions (API identifier, permission name) each role has (<c>GET /api/v2/roles/{id}/permissions</c>; at most 11).</summary>
    public int PermissionsPerRole { get; set; } = 3;

    /// <summary>Pending invitations per organization (<c>GET /api/v2/organizations/{id}/invitations</c>).</summary>
    public int InvitationsPerOrganization { get; set; } = 3;

    /// <summary>Connections enabled per organization (<c>GET /api/v2/organizations/{id}/enabled_connections</c>; at most 6).</summary>
    public int ConnectionsPerOrganization { get; set; } = 2;

    /// <summary>Number of groups (<c>GET /api/v2/groups</c>); the eighth of every eight is a tenant group, the others a directory connection's.</summary>
    public int Groups { get; set; } = 4;

    /// <summary>Users each group has as members (<c>GET /api/v2/groups/{id}/members</c>), drawn from the users; the third group also has the first as a member.</summary>
    public int MembersPerGroup { get; set; } = 6;

    /// <summary>Users of the first group (in id order) instead of <see cref="MembersPerGroup"/> (e.g. past a page). Null: <see cref="MembersPerGroup"/>.</summary>
    public int? MembersInFirstGroup { get; set; }

    /// <summary>Groups each role of the catalog is assigned to (<c>GET /api/v2/roles/{id}/groups</c>).</summary>
    public int GroupsPerRole { get; set; } = 2;

    /// <summary>Groups of the catalog's first role instead of <see cref="GroupsPerRole"/>. Null: <see cref="GroupsPerRole"/>.</summary>
    public int? GroupsOfFirstRole { get; set; }

    /// <summary>
    /// False: the tenant does not have groups (an Early Access, plan-gated feature). The three group endpoints then
    /// answer 403 <c>feature_not_enabled</c> "This feature is not enabled for this tenant." (after the scope check),
    /// as Auth0 answers for a feature the tenant lacks (docs/auth0-endpoints.md §2.18).
    /// </summary>
    public bool GroupsFeature { get; set; } = true;

    /// <summary>Number of clients (applications). The first one is the connector's own M2M application.</summary>
    public int Clients { get; set; } = 5;

    /// <summary>Number of APIs (resource servers), the Management API (a system API) first; every third is HS256 and lists its signing secret.</summary>
    public int ResourceServers { get; set; } = 4;

    /// <summary>Number of connections (<c>GET /api/v2/connections</c>); the first is the database connection.</summary>
    public int Connections { get; set; } = 3;

    /// <summary>Number of client grants (<c>GET /api/v2/client-grants</c>); the first is the connector's own.</summary>
    public int ClientGrants { get; set; } = 4;

    /// <summary>Number of actions (<c>GET /api/v2/actions/actions</c>).</summary>
    public int Actions { get; set; } = 3;

    /// <summary>Largest <c>per_page</c> the actions listing accepts (undocumented; above it a 400 naming per_page).</summary>
    public int ActionsMaxPerPage { get; set; } = 100;

    /// <summary>Number of log streams (<c>GET /api/v2/log-streams</c>), their sinks' credentials included.</summary>
    public int LogStreams { get; set; } = 2;

    /// <summary>Calendar days of <c>/api/v2/stats/daily</c> history up to today (by <see cref="Time"/>): sparse, today always has a row.</summary>
    public int DailyStatsDays { get; set; } = 14;

    /// <summary>Seed of the data generator.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Largest accepted <c>per_page</c>; above it the API answers 400 <c>invalid_query_string</c>.</summary>
    public int MaxPerPage { get; set; } = 100;

    /// <summary>
    /// A tenant that serves at most this many items per page of every listing (offset <c>per_page</c> and checkpoint
    /// <c>take</c>, the user and log searches included) whatever is asked, and says nothing: no 400, and an envelope's
    /// <c>limit</c> or <c>per_page</c> echoes what was asked. Offset pages are cut at the served size (page 1 of
    /// <c>per_page=100</c> capped at 50 is items 50 to 99), as a server clamping the parameter would. Null: no cap.
    /// </summary>
    public int? SilentPageCap { get; set; }

    /// <summary>Every <c>total</c> the tenant reports is this many more than its listing holds (a tenant miscounting). 0: exact.</summary>
    public int OverstatedTotal { get; set; }

    /// <summary>Client id accepted by <c>POST /oauth/token</c>.</summary>
    public string ClientId { get; set; } = "fake-client-id";

    /// <summary>Client secret accepted by <c>POST /oauth/token</c>.</summary>
    public string ClientSecret { get; set; } = "fake-client-secret";

    /// <summary>Scopes the client grant gives to tokens issued by <c>POST /oauth/token</c>.</summary>
    public IReadOnlyCollection<string> GrantedScopes { get; set; } = FakeTenant.AllScopes;

    /// <summary>The application has no client grant for the Management API: its token requests get 403 <c>access_denied</c>.</summary>
    public bool ClientGrantMissing { get; set; }

    /// <summary>The application's Client Credentials grant type is switched off: 403 <c>unauthorized_client</c>.</summary>
    public bool ClientCredentialsGrantDisabled { get; set; }

    /// <summary>Lifetime of issued tokens (<c>expires_in</c>).</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Clock for token expiry and the rate-limit bucket (use a fake time provider in tests).</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>
    /// False: the tenant behaves as one without the Organizations feature. Modelled as an empty organization
    /// list (200 with <c>[]</c>, an empty envelope, or <c>{"organizations":[]}</c>) and 404 for any organization id,
    /// which is what a tenant with zero organizations answers too; a connector's <c>check</c> must pass either way.
    /// </summary>
    public bool OrganizationsFeature { get; set; } = true;

    /// <summary>
    /// Token-bucket capacity of the tenant's global rate limit. Null: no limiting, but every API response still
    /// carries <c>x-ratelimit-limit: 50</c>, <c>x-ratelimit-remaining: 49</c> and a <c>x-ratelimit-reset</c>.
    /// </summary>
    public int? RateLimitBucket { get; set; }

    /// <summary>Bucket refill rate in requests per second (enterprise production: 16).</summary>
    public double RateLimitRefillPerSecond { get; set; } = 16;

    /// <summary>
    /// Rate limits as a subscription plan sets them (<see cref="FakeTenant.RateLimitPlan"/>: one global bucket, or
    /// one per endpoint group). Set, it replaces <see cref="RateLimitBucket"/>; null (the default): that single bucket.
    /// </summary>
    public RateLimitPlan? RateLimitPlan { get; set; }

    /// <summary>Also send <c>Retry-After</c> (whole seconds) on 429 answers. Off by default, like most Auth0 answers.</summary>
    public bool SendRetryAfter { get; set; }

    /// <summary>Port to listen on (127.0.0.1). Null: a free port.</summary>
    public int? Port { get; set; }

    /// <summary>Earliest user <c>updated_at</c>/<c>created_at</c>.</summary>
    public DateTimeOffset UsersUpdatedFrom { get; set; } = new(2021, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Latest user <c>updated_at</c> (exclusive).</summary>
    public DateTimeOffset UsersUpdatedTo { get; set; } = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Number of users (a contiguous block in the middle of the updated_at order) that share one updated_at
    /// millisecond, like a bulk import. 0: all updated_at values are distinct. See <see cref="FakeTenant.SharedUpdatedAt"/>.
    /// </summary>
    public int UsersSharingOneTimestamp { get; set; }

    /// <summary>How many such blocks of <see cref="UsersSharingOneTimestamp"/> users, each at its own millisecond, evenly spaced (default 1, in the middle).</summary>
    public int SharedTimestampBlocks { get; set; } = 1;

    /// <summary>Tenant name used in client records (<c>tenant</c> field).</summary>
    public string TenantName { get; set; } = "fake-tenant";

    /// <summary>
    /// Extra delay of every <c>/api/v2</c> and <c>/oauth/token</c> response (network plus server time). Real wall-clock
    /// time (an async <c>Task.Delay</c>, so concurrent requests wait in parallel), not <see cref="Time"/>: a fake clock
    /// would never let the response go. The request is handled, and its rate-limit token taken, when it arrives;
    /// only the answer is held back. Zero (the default): no delay.
    /// </summary>
    public TimeSpan Latency { get; set; }

    /// <summary>
    /// Fraction (0..1) of <c>/api/v2</c> requests that fail before being served: alternately a 500/502/503 with an
    /// Auth0-style JSON error body, and an empty 200 (WireMock's <c>EMPTY_RESPONSE</c> fault). A faulted request
    /// takes no rate-limit token and changes no state. Which requests fail is a deterministic function of
    /// <see cref="FaultSeed"/> and the request's arrival number. Zero (the default): no faults.
    /// </summary>
    public double FaultRate { get; set; }

    /// <summary>Seed of the <see cref="FaultRate"/> draw.</summary>
    public int FaultSeed { get; set; }

    /// <summary>
    /// Eventual consistency of the user search: after <see cref="FakeTenant.UpdateUser"/>, <c>GET /api/v2/users</c>
    /// keeps serving the user's previous version (old updated_at, old place in every range and total) until this much
    /// <see cref="Time"/> has passed; the export job and every other view see the new version at once. Zero (the
    /// default): the search sees updates at once.
    /// </summary>
    public TimeSpan SearchIndexLag { get; set; }

    /// <summary>
    /// Auth0's search time limit: "Search queries time out (HTTP status code 503) if they're not completed in two
    /// seconds or less" (User Search Best Practices). Modelled by what a query costs, the users it matches: a
    /// <c>GET /api/v2/users</c> whose <c>q</c> matches more than this many users (a wide range of a large tenant)
    /// answers 503, counts and pages alike; the same query narrowed is served. Null (the default): no time limit.
    /// </summary>
    public int? SearchTimeoutMatches { get; set; }

    /// <summary>
    /// Polls of <c>GET /api/v2/jobs/{id}</c> that answer <c>pending</c> (the first) or <c>processing</c> before an
    /// export job answers <c>completed</c>.
    /// </summary>
    public int ExportJobPolls { get; set; } = 2;

    /// <summary>Every export download breaks off part-way through the file (a cut connection).</summary>
    public bool ExportDownloadBreaks { get; set; }

    /// <summary>
    /// How long (by <see cref="Time"/>) a download link works after <c>GET /api/v2/jobs/{id}</c> handed it out; then
    /// 403 <c>AccessDenied</c> "Request has expired", as an S3 pre-signed link answers. Auth0's docs: "The download link
    /// is valid for 60 seconds. If this time period expires, you have 24 hours to call it again before the job
    /// expires": every poll of a completed job signs a fresh link to the same file.
    /// </summary>
    public TimeSpan ExportLinkLifetime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The first this many download links handed out have expired before they are used (a download that started too late).</summary>
    public int ExpiredExportLinks { get; set; }

    /// <summary>
    /// How long (by <see cref="Time"/>) an export job runs before it completes (besides <see cref="ExportJobPolls"/>);
    /// meanwhile <c>GET /api/v2/jobs/{id}</c> answers <c>processing</c> with <c>percentage_done</c> and
    /// <c>time_left_seconds</c>, as Auth0's job object carries them. Zero (the default): done after the polls.
    /// </summary>
    public TimeSpan ExportJobDuration { get; set; }

    /// <summary>
    /// False: the subscription plan has no users export (Auth0 no longer offers it on Free; a tenant on
    /// <see cref="RateLimitPlan"/> Free has none either): <c>POST /api/v2/jobs/users-exports</c> answers 403 as
    /// Auth0 refuses a feature the plan lacks.
    /// </summary>
    public bool UsersExportFeature { get; set; } = true;

    /// <summary>Log events seeded (<c>GET /api/v2/logs</c>), about 30 s apart, the newest at <see cref="LogsNewest"/>.</summary>
    public int Logs { get; set; } = 150;

    /// <summary>
    /// Users deleted through the Management API before the tenant was seeded, as their log events show (a <c>sdu</c> and a
    /// <c>sapi</c> "Delete a user" each, counted in <see cref="Logs"/>; the ids are not the tenant's users).
    /// </summary>
    public int LoggedDeletions { get; set; } = 3;

    /// <summary>
    /// A live log: the events of writes made on the tenant (deleting a user) are dated when they happen (by
    /// <see cref="Time"/>), as on a real tenant, instead of just after the newest event. The fake tenant's program
    /// turns it on (and seeds the log up to its start); tests keep the log's own, deterministic, clock.
    /// </summary>
    public bool LiveLog { get; set; }

    /// <summary>The date of the newest seeded log event.</summary>
    public DateTimeOffset LogsNewest { get; set; } = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// The tenant's log retention (plan-dependent: 1 to 30 days): events dated more than this before the newest event
    /// are gone, so <see cref="FakeTenant.AppendLogs"/> far enough ahead ages out the old ones.
    /// </summary>
    public TimeSpan LogRetention { get; set; } = TimeSpan.FromDays(30);
}
