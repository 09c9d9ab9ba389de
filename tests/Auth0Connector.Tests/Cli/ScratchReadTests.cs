using Auth0Connector.Tests.Support;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using Xunit.Abstractions;

namespace Auth0Connector.Tests.Cli;

public class ScratchReadTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFiles _files = new();

    [Theory]
    [InlineData("organization_members,organization_member_roles", "/api/v2/organizations/*/members", "fields", 403, """{"statusCode":403,"error":"Forbidden","message":"Insufficient scope, expected any of: read:organization_member_roles","errorCode":"insufficient_scope"}""")]
    [InlineData("logs", "/api/v2/logs", "from", 404, """{"statusCode":404,"error":"Not Found","message":"log not found"}""")]
    [InlineData("logs", "/api/v2/logs", "from", 400, """{"statusCode":400,"error":"Bad Request","message":"Invalid from","errorCode":"invalid_query_string"}""")]
    [InlineData("stats_daily", "/api/v2/stats/daily", "", 200, """[{"date":"2030-01-01T00:00:00.000Z","logins":1},{"date":"garbage","logins":2},{"date":"2024-01-02T00:00:00.000Z"},{"date":"2024-01-02T00:00:00.000Z"},{"date":"2024-01-01T00:00:00.000Z"}, {"date":5}]""")]
    [InlineData("stats_daily", "/api/v2/stats/daily", "", 200, """{"a":1}""")]
    [InlineData("stats_daily", "/api/v2/stats/daily", "", 200, "null")]
    [InlineData("tenant_settings", "/api/v2/tenants/settings", "", 200, "null")]
    [InlineData("tenant_settings", "/api/v2/tenants/settings", "", 200, "\"x\"")]
    [InlineData("connections", "/api/v2/connections", "from", 200, """{"connections":[],"next":"abc"}""")]
    public async Task Scratch(string streams, string path, string param, int status, string body)
    {
        using var tenant = SmallTenant.Start("scratch-secret-xyz");
        var request = Request.Create().WithPath(new WildcardMatcher(path)).UsingGet();
        if (param != "") request = request.WithParam(param);
        tenant.Server.Given(request).AtPriority(1).RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body));
        var list = streams.Split(',');
        var catalog = list.Length == 1 && (list[0] is "logs" or "stats_daily") ? _files.Catalog(list[0], incremental: true) : _files.Catalog(list);
        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", catalog]);
        output.WriteLine($"exit {run.ExitCode}");
        foreach (var l in run.Lines.Where(l => !l.Contains("\"RECORD\"", StringComparison.Ordinal))) output.WriteLine(l.Length > 600 ? l[..600] : l);
        output.WriteLine($"records {run.Lines.Count(l => l.Contains("\"RECORD\"", StringComparison.Ordinal))}");
        output.WriteLine(run.Stderr);
    }

    public void Dispose() => _files.Dispose();
}
