using Auth0Connector.FakeTenant;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Streams;

/// <summary>client_grants: checkpoint-paged, so more than 1000 grants are read completely.</summary>
public class ClientGrantsStreamTests : IDisposable
{
    private readonly TempFiles _files = new();

    [Theory]
    [InlineData(1_130, 100)]
    [InlineData(995, 30)]
    public async Task Read_PastTheOffsetCap_EveryGrantOnceUnchanged(int grants, int pageSize)
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 10, Organizations = 0, Clients = 40, ClientGrants = grants });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant, $$""", "page_size": {{pageSize}}"""), "--catalog", _files.Catalog(["client_grants"])]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses("client_grants"));
        StreamChecks.AssertExactly(run, "client_grants", tenant.ClientGrants, "id");
        var queries = StreamChecks.QueriesTo(tenant, "/api/v2/client-grants");
        Assert.All(queries, q => Assert.Contains($"take={pageSize}", q, StringComparison.Ordinal));
        Assert.Equal((grants + pageSize - 1) / pageSize, queries.Count);
        StreamChecks.AssertNoRequestRejected(tenant);
    }

    [Fact]
    public async Task Read_DefaultTenant_TheConnectorsOwnGrantWithItsScopes()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 10, Organizations = 0 });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["client_grants"])]);

        Assert.Equal(0, run.ExitCode);
        StreamChecks.AssertExactly(run, "client_grants", tenant.ClientGrants, "id");
        var own = run.Records("client_grants").Single(g => g.GetProperty("client_id").GetString() == tenant.Options.ClientId);
        Assert.Equal(FakeTenant.FakeTenant.AllScopes, own.GetProperty("scope").EnumerateArray().Select(s => s.GetString()!));
    }

    [Fact]
    public Task Read_WithoutReadClientGrants_OnlyThisStreamIncompleteNamingTheScope() =>
        StreamChecks.AssertMissingScopeFailsOnlyTheStreamAsync("client_grants", "read:client_grants");

    [Fact]
    public Task Check_WithAndWithoutClientGrants_ProbesOnceAndNamesTheMissingScope() =>
        StreamChecks.AssertCheckProbesTheStreamAsync("client_grants", "read:client_grants", "/api/v2/client-grants");

    public void Dispose() => _files.Dispose();
}
