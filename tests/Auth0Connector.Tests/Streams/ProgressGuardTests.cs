using Auth0Connector.Tests.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Auth0Connector.Tests.Streams;

/// <summary>Lying pagination: every listing proves progress, or its stream fails within a few requests.</summary>
public class ProgressGuardTests : IDisposable
{
    private readonly TempFiles _files = new();
    private readonly WireMockServer _tenant = WireMockServer.Start();

    private static IResponseBuilder Json(string body) =>
        Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body);

    private Task<ConnectorRun> ReadAsync(string streams, string extra = "") =>
        ConnectorRun.InvokeAsync(["read", "--config", _files.Write($"config-{Guid.NewGuid():N}.json", $$$"""
            {"base_url":"{{{_tenant.Url}}}","max_retries":0{{{extra}}},"credentials":{"auth_type":"oauth2_access_token","access_token":"tok-guard-123456"}}
            """), "--streams", streams]);

    private static void AssertFailedNaming(ConnectorRun run, string stream, string path, string what)
    {
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("INCOMPLETE", run.Statuses(stream).Last());
        var message = Assert.Single(run.Errors).GetProperty("message").GetString()!;
        Assert.Contains(path, message, StringComparison.Ordinal);
        Assert.Contains(what, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Organizations_CheckpointTokensCycle_FailsOnTheRepeatedToken()
    {
        _tenant.Given(Request.Create().WithPath("/api/v2/organizations").WithParam("from", "A")).RespondWith(Json("""{"organizations":[{"id":"org_2"}],"next":"B"}"""));
        _tenant.Given(Request.Create().WithPath("/api/v2/organizations").WithParam("from", "B")).RespondWith(Json("""{"organizations":[{"id":"org_3"}],"next":"A"}"""));
        _tenant.Given(Request.Create().WithPath("/api/v2/organizations").WithParam("take")).AtPriority(10).RespondWith(Json("""{"organizations":[{"id":"org_1"}],"next":"A"}"""));

        var run = await ReadAsync("organizations");

        AssertFailedNaming(run, "organizations", "/api/v2/organizations", "already given");
        Assert.Equal(3, _tenant.LogEntries.Count());
        Assert.Equal(3, run.Records("organizations").Count());
    }

    [Fact]
    public async Task Clients_ServerIgnoresThePageNumber_FailsOnTheRepeatedPage()
    {
        // Every page is the same full page, and the total promises many more.
        _tenant.Given(Request.Create().WithPath("/api/v2/clients")).RespondWith(Json("""{"clients":[{"client_id":"a"},{"client_id":"b"}],"total":500,"start":0,"limit":2}"""));

        var run = await ReadAsync("clients", """, "page_size": 2""");

        AssertFailedNaming(run, "clients", "/api/v2/clients", "same page twice");
        Assert.Equal(2, run.Records("clients").Count());
        Assert.InRange(_tenant.LogEntries.Count(), 2, 4);
    }

    [Fact]
    public async Task Members_EndlessDistinctTokensAndPages_BoundedByTheGuard()
    {
        // A next token that is always new and pages that always differ would page forever; the
        // guard's page bound is large, so only a cycle of two tokens is tested at full speed here.
        _tenant.Given(Request.Create().WithPath("/api/v2/organizations")).RespondWith(Json("""{"organizations":[{"id":"org_1"}]}"""));
        _tenant.Given(Request.Create().WithPath("/api/v2/organizations/org_1/members").WithParam("from", "X")).RespondWith(Json("""{"members":[{"user_id":"u2"}],"next":"X"}"""));
        _tenant.Given(Request.Create().WithPath("/api/v2/organizations/org_1/members").WithParam("take")).AtPriority(10).RespondWith(Json("""{"members":[{"user_id":"u1"}],"next":"X"}"""));

        var run = await ReadAsync("organization_members");

        AssertFailedNaming(run, "organization_members", "/api/v2/organizations/org_1/members", "already given");
    }

    [Fact]
    public async Task Organizations_TwoPagesAlternatingWithFreshTokens_FailsOnTheRepeatedPage()
    {
        // Every answer carries a new token, but the pages go A, B, A, B…: the records repeat.
        for (var i = 0; i < 10; i++)
        {
            var page = i % 2 == 0 ? """[{"id":"org_a"}]""" : """[{"id":"org_b"}]""";
            var request = Request.Create().WithPath("/api/v2/organizations");
            request = i == 0 ? request.WithParam("take") : request.WithParam("from", $"t{i}");
            _tenant.Given(request).AtPriority(i == 0 ? 10 : 1).RespondWith(Json($$"""{"organizations":{{page}},"next":"t{{i + 1}}"}"""));
        }

        var run = await ReadAsync("organizations");

        AssertFailedNaming(run, "organizations", "/api/v2/organizations", "same page twice");
        Assert.Equal(2, run.Records("organizations").Count());
    }

    [Fact]
    public async Task Clients_PrettyPrintedAnswer_EveryRecordOnOneLine()
    {
        _tenant.Given(Request.Create().WithPath("/api/v2/clients")).RespondWith(Json("{\n  \"clients\": [\n    {\n      \"client_id\": \"c1\",\r\n      \"n\": 1e400\n    }\n  ],\n  \"total\": 1\n}"));

        var run = await ReadAsync("clients");

        Assert.Equal(0, run.ExitCode);
        var record = Assert.Single(run.Lines, l => l.StartsWith("{\"type\":\"RECORD\"", StringComparison.Ordinal));
        Assert.Contains("\"data\":{\"client_id\":\"c1\",\"n\":1e400}", record, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _tenant.Stop();
        _files.Dispose();
    }
}
