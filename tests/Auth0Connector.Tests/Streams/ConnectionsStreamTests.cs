using System.Text.Json.Nodes;
using Auth0Connector.FakeTenant;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Streams;

/// <summary>connections: checkpoint-paged, so a tenant with more than 1000 connections is read completely.</summary>
public class ConnectionsStreamTests : IDisposable
{
    private readonly TempFiles _files = new();

    [Theory]
    [InlineData(1_250, 100)]
    [InlineData(1_001, 30)]
    public async Task Read_PastTheOffsetCap_EveryConnectionOnceUnchanged(int connections, int pageSize)
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 10, Organizations = 0, Connections = connections });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant, $$""", "page_size": {{pageSize}}"""), "--catalog", _files.Catalog(["connections"])]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses("connections"));
        StreamChecks.AssertExactly(run, "connections", tenant.Connections, "id");
        Assert.Contains(tenant.Connections, c => c.ContainsKey("custom_field_x")); // unknown to the schema, passed through
        var queries = StreamChecks.QueriesTo(tenant, "/api/v2/connections");
        Assert.All(queries, q => Assert.Contains($"take={pageSize}", q, StringComparison.Ordinal));
        Assert.Equal((connections + pageSize - 1) / pageSize, queries.Count);
        StreamChecks.AssertNoRequestRejected(tenant);
    }

    [Fact]
    public async Task FakeTenant_OffsetPagingPastTheCap_Answers400InvalidPaging()
    {
        // The fake models the cap the checkpoint paging above gets past: the connector must not use offset here.
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 10, Organizations = 0, Connections = 1_100 });
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", tenant.IssueToken());

        using var answer = await http.GetAsync(new Uri(tenant.BaseUrl + "/api/v2/connections?page=10&per_page=100&include_totals=true"));
        var body = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;

        Assert.Equal(400, (int)answer.StatusCode);
        Assert.Equal("invalid_paging", (string)body["errorCode"]!);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Read_ConnectionsWithSecretOptions_SecretsOnlyInRecords(bool debug)
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 10, Organizations = 0, Connections = 12 });
        string[] args = ["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["connections"])];

        var run = await ConnectorRun.InvokeAsync(debug ? [.. args, "--debug"] : args);

        Assert.Equal(0, run.ExitCode);
        List<string> secrets = [.. tenant.Connections.Select(c => c["options"]!.AsObject())
            .SelectMany(o => new[] { o["client_secret"], o["twilio_token"], o["decryptionKey"]?["key"] })
            .Where(v => v is not null).Select(v => (string)v!)];
        Assert.True(secrets.Count >= 6, "the fake tenant's connections carry secrets in their options");
        StreamChecks.AssertSecretsOnlyInRecords(run, secrets);
    }

    [Fact]
    public Task Read_WithoutReadConnections_OnlyThisStreamIncompleteNamingTheScope() =>
        StreamChecks.AssertMissingScopeFailsOnlyTheStreamAsync("connections", "read:connections");

    [Fact]
    public Task Check_WithAndWithoutConnections_ProbesOnceAndNamesTheMissingScope() =>
        StreamChecks.AssertCheckProbesTheStreamAsync("connections", "read:connections", "/api/v2/connections");

    public void Dispose() => _files.Dispose();
}
