using System.Net;

namespace Auth0Connector.Http;

/// <summary>What the connector does about an answer or a failure: the one table every part consults.</summary>
internal enum ErrorAction
{
    /// <summary>Not an error.</summary>
    None,

    /// <summary>429, 408, 5xx, a dropped, cut or stalled attempt: wait and send again (the retry policy).</summary>
    Retry,

    /// <summary>401: renew the token once and send again (the authentication handler); after that, the credentials are wrong and the sync stops.</summary>
    RenewToken,

    /// <summary>400 rejecting <c>per_page</c>: step the page size down and ask again (the paginators).</summary>
    ShrinkPage,

    /// <summary>404 on a child listing: the parent vanished since it was listed, skip it with a warning.</summary>
    SkipVanishedParent,

    /// <summary>403: the stream's scope is missing; that stream fails with a config_error, the others go on (check names the scope).</summary>
    MissingScope,

    /// <summary>
    /// 403 for a feature the tenant does not have, not a scope: <c>errorCode</c> <c>feature_not_enabled</c> or
    /// <c>insufficient_entitlement</c>, or <c>insufficient_scope</c> with a message naming the plan (only the message
    /// tells those from a missing scope). The caller goes without it: users exports fall back to range queries, a
    /// listing (the group streams, Early Access and plan-gated) is an empty stream with a warning; check notes it.
    /// </summary>
    PlanLacksFeature,

    /// <summary>
    /// 503 from the user search: Auth0 answers it when a query runs past its time limit (two seconds), so the same
    /// query would fail the same way; ask smaller ones (split the range) instead of retrying.
    /// </summary>
    NarrowQuery,

    /// <summary>
    /// 403, 404 or 410 from the storage host of a users export's pre-signed link (S3 answers an expired one 403
    /// <c>AccessDenied</c> "Request has expired"): the link lives a minute; ask the same job for a fresh one.
    /// </summary>
    RefreshLink,

    /// <summary>A redirect or a host that cannot be reached: every stream would fail the same way, so the sync stops.</summary>
    StopSync,

    /// <summary>Anything else: this stream fails, the others go on.</summary>
    FailStream,
}

/// <summary>
/// The error-resolution table, from (HTTP status, Auth0 <c>errorCode</c>, message) or a transport
/// failure to an <see cref="ErrorAction"/>. The retry policy, the authentication handler, the
/// paginators, check and the failure mapper all ask it, so one status never means two things.
/// </summary>
internal static class ErrorResolution
{
    /// <summary>The user search, whose 503 is its query timeout (<c>GET /api/v2/users</c>; a user by id is not a search).</summary>
    public const string UserSearchPath = "/api/v2/users";

    /// <summary>
    /// The action for an answer; <paramref name="path"/> is the request's path without query, where known (a 503
    /// means one thing from the user search and another from every other endpoint).
    /// </summary>
    public static ErrorAction For(HttpStatusCode status, string? errorCode = null, string? message = null, string? path = null) => (int)status switch
    {
        < 300 => ErrorAction.None,
        < 400 => ErrorAction.StopSync,
        401 => ErrorAction.RenewToken,
        403 when errorCode is "feature_not_enabled" or "insufficient_entitlement" || NamesThePlan(message) => ErrorAction.PlanLacksFeature,
        403 => ErrorAction.MissingScope,
        404 => ErrorAction.SkipVanishedParent,
        503 when path == UserSearchPath => ErrorAction.NarrowQuery,
        408 or 429 or >= 500 => ErrorAction.Retry,
        400 when errorCode == "invalid_query_string" && message?.Contains("per_page", StringComparison.OrdinalIgnoreCase) == true => ErrorAction.ShrinkPage,
        _ => ErrorAction.FailStream,
    };

    public static ErrorAction For(Auth0ApiException error) => For(error.Status, error.ErrorCode, error.Message, error.Path);

    /// <summary>An answer as the retry policy sees it: its status and the path it answered.</summary>
    public static ErrorAction For(HttpResponseMessage response) =>
        For(response.StatusCode, path: response.RequestMessage?.RequestUri is { IsAbsoluteUri: true } uri ? uri.AbsolutePath.TrimEnd('/') : null);

    /// <summary>
    /// Whether a 403's message is about the subscription plan rather than a scope: Auth0 words plan refusals as
    /// "Please upgrade your subscription to enable …" or "… is not enabled for this tenant", a missing scope as
    /// "Insufficient scope, expected any of: …".
    /// </summary>
    private static bool NamesThePlan(string? message) =>
        message is not null
        && !message.Contains("Insufficient scope", StringComparison.OrdinalIgnoreCase)
        && (message.Contains("subscription", StringComparison.OrdinalIgnoreCase)
            || message.Contains("your plan", StringComparison.OrdinalIgnoreCase)
            || message.Contains("not enabled for this tenant", StringComparison.OrdinalIgnoreCase));

    /// <summary>An answer of the storage host serving a users export's file (not the Management API).</summary>
    public static ErrorAction ForDownload(HttpStatusCode status) => (int)status switch
    {
        < 300 => ErrorAction.None,
        403 or 404 or 410 => ErrorAction.RefreshLink,
        408 or 429 or >= 500 => ErrorAction.Retry,
        _ => ErrorAction.FailStream,
    };

    /// <summary>A failure without an answer: a name that does not resolve stops at once; other connection trouble is retried.</summary>
    public static ErrorAction For(Exception error, CancellationToken callerToken) => error switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => ErrorAction.StopSync,
        Polly.Timeout.TimeoutRejectedException or HttpRequestException or IOException => ErrorAction.Retry,
        // A cancelled socket read that the caller did not ask for is a dropped connection.
        OperationCanceledException => callerToken.IsCancellationRequested ? ErrorAction.FailStream : ErrorAction.Retry,
        _ => ErrorAction.FailStream,
    };
}
