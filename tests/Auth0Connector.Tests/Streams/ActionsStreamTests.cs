using Auth0Connector.FakeTenant;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Streams;

/// <summary>actions: page/per_page, always the <c>{actions, total, per_page}</c> envelope.</summary>
public class ActionsStreamTests : IDisposable
{
    private readonly TempFiles _files = new();

    [Theory]
    [InlineData(45, 20, 3)]
    [InlineData(40, 20, 2)]
    [InlineData(230, 100, 3)]
    public async Task Read_AcrossPagesOfTheEnvelope_EveryActionOnceUnchanged(int actions, int pageSize, int requests)
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 10, Organizations = 0, Actions = actions });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant, $$""", "page_size": {{pageSize}}"""), "--catalog", _files.Catalog(["actions"])]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses("actions"));
        StreamChecks.AssertExactly(run, "actions", tenant.Actions, "id");
        Assert.Contains(tenant.Actions, a => a.ContainsKey("custom_field_x")); // unknown to the schema, passed through
        var queries = StreamChecks.QueriesTo(tenant, "/api/v2/actions/actions");
        Assert.Equal(requests, queries.Count);
        Assert.All(queries, q => Assert.Contains($"per_page={pageSize}", q, StringComparison.Ordinal));
        Assert.Equal(Enumerable.Range(0, requests).Select(p => $"page={p}"), queries.Select(q => q.Split('&', '?').Single(p => p.StartsWith("page=", StringComparison.Ordinal))));
        StreamChecks.AssertNoRequestRejected(tenant);
    }

    [Fact]
    public async Task Read_TenantRefusingPerPage100_StepsDownTo50AndReadsEveryAction()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 10, Organizations = 0, Actions = 130, ActionsMaxPerPage = 50 });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["actions"])]);

        Assert.Equal(0, run.ExitCode);
        StreamChecks.AssertExactly(run, "actions", tenant.Actions, "id");
        var queries = StreamChecks.QueriesTo(tenant, "/api/v2/actions/actions");
        Assert.Contains("per_page=100", queries[0], StringComparison.Ordinal);
        Assert.All(queries.Skip(1), q => Assert.Contains("per_page=50", q, StringComparison.Ordinal));
        Assert.Equal(1 + 3, queries.Count);
    }

    [Fact]
    public Task Read_WithoutReadActions_OnlyThisStreamIncompleteNamingTheScope() =>
        StreamChecks.AssertMissingScopeFailsOnlyTheStreamAsync("actions", "read:actions");

    [Fact]
    public Task Check_WithAndWithoutActions_ProbesOnceAndNamesTheMissingScope() =>
        StreamChecks.AssertCheckProbesTheStreamAsync("actions", "read:actions", "/api/v2/actions/actions");

    public void Dispose() => _files.Dispose();
}
