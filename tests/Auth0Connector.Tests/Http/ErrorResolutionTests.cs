using System.Net;
using System.Net.Sockets;
using Auth0Connector.Http;

namespace Auth0Connector.Tests.Http;

/// <summary>The one table from answers and failures to what the connector does.</summary>
public class ErrorResolutionTests
{
    [Theory]
    [InlineData(200, null, null, "None")]
    [InlineData(302, null, null, "StopSync")]
    [InlineData(307, null, null, "StopSync")]
    [InlineData(400, "invalid_query_string", "Query validation error: 'per_page' must be at most 50", "ShrinkPage")]
    [InlineData(400, "invalid_query_string", "Query validation error: 'q' is invalid", "FailStream")]
    [InlineData(400, null, null, "FailStream")]
    [InlineData(401, null, null, "RenewToken")]
    [InlineData(403, "insufficient_scope", null, "MissingScope")]
    [InlineData(403, "insufficient_scope", "Insufficient scope, expected any of: read:users", "MissingScope")]
    [InlineData(403, "insufficient_scope", "Please upgrade your subscription to enable users exports.", "PlanLacksFeature")]
    [InlineData(403, "insufficient_scope", "Bot Detection API is not enabled for this tenant.", "PlanLacksFeature")]
    [InlineData(403, null, null, "MissingScope")]
    [InlineData(403, "feature_not_enabled", "This feature is not enabled for this tenant.", "PlanLacksFeature")]
    [InlineData(403, "insufficient_entitlement", "Please upgrade your subscription to use bot detection", "PlanLacksFeature")]
    [InlineData(403, "feature_not_enabled", null, "PlanLacksFeature")]
    [InlineData(403, "insufficient_entitlement", "Forbidden", "PlanLacksFeature")]
    [InlineData(404, null, null, "SkipVanishedParent")]
    [InlineData(408, null, null, "Retry")]
    [InlineData(409, null, null, "FailStream")]
    [InlineData(429, "too_many_requests", null, "Retry")]
    [InlineData(500, null, null, "Retry")]
    [InlineData(503, null, null, "Retry")]
    public void For_Status_TheTablesAction(int status, string? errorCode, string? message, string expected)
    {
        Assert.Equal(Enum.Parse<ErrorAction>(expected), ErrorResolution.For((HttpStatusCode)status, errorCode, message));
    }

    [Theory]
    [InlineData("/api/v2/users", "NarrowQuery")]
    [InlineData("/api/v2/users/auth0|1/roles", "Retry")]
    [InlineData("/api/v2/clients", "Retry")]
    [InlineData(null, "Retry")]
    public void For_503_TheUserSearchsTimeoutIsNarrowedOthersRetried(string? path, string expected)
    {
        Assert.Equal(Enum.Parse<ErrorAction>(expected), ErrorResolution.For(HttpStatusCode.ServiceUnavailable, path: path));
    }

    [Fact]
    public void For_ResponseOfTheUserSearch_ItsPathDecides()
    {
        using var search = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { RequestMessage = new HttpRequestMessage(HttpMethod.Get, "https://t.example/api/v2/users?q=updated_at%3A%5B*%20TO%202025%7D") };
        using var roles = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { RequestMessage = new HttpRequestMessage(HttpMethod.Get, "https://t.example/api/v2/roles") };

        Assert.Equal(ErrorAction.NarrowQuery, ErrorResolution.For(search));
        Assert.Equal(ErrorAction.Retry, ErrorResolution.For(roles));
    }

    [Theory]
    [InlineData(200, "None")]
    [InlineData(403, "RefreshLink")]
    [InlineData(404, "RefreshLink")]
    [InlineData(410, "RefreshLink")]
    [InlineData(400, "FailStream")]
    [InlineData(503, "Retry")]
    public void ForDownload_StorageHostAnswers_ExpiredLinksRefreshed(int status, string expected)
    {
        Assert.Equal(Enum.Parse<ErrorAction>(expected), ErrorResolution.ForDownload((HttpStatusCode)status));
    }

    [Fact]
    public void For_Failures_ConnectionTroubleRetriedAnUnknownHostStops()
    {
        using var caller = new CancellationTokenSource();

        Assert.Equal(ErrorAction.StopSync, ErrorResolution.For(new HttpRequestException(HttpRequestError.NameResolutionError, "no such host"), caller.Token));
        Assert.Equal(ErrorAction.Retry, ErrorResolution.For(new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException()), caller.Token));
        Assert.Equal(ErrorAction.Retry, ErrorResolution.For(new IOException("reset"), caller.Token));
        Assert.Equal(ErrorAction.Retry, ErrorResolution.For(new Polly.Timeout.TimeoutRejectedException(), caller.Token));
        Assert.Equal(ErrorAction.Retry, ErrorResolution.For(new OperationCanceledException(), caller.Token));
        caller.Cancel();
        Assert.Equal(ErrorAction.FailStream, ErrorResolution.For(new OperationCanceledException(), caller.Token));
        Assert.Equal(ErrorAction.FailStream, ErrorResolution.For(new InvalidDataException(), caller.Token));
    }
}
