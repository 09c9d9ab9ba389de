using System.Text.Json.Nodes;
using Auth0Connector.FakeTenant;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Streams;

/// <summary>tenant_settings: one object, one record, keyed by the tenant's domain (base_url's host) the connector adds.</summary>
public class TenantSettingsStreamTests : IDisposable
{
    private readonly TempFiles _files = new();

    [Fact]
    public async Task Read_TenantSettings_OneRecordUnchangedKeyedByTheTenantDomain()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 10, Organizations = 0, TenantName = "acme-prod" });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["tenant_settings"])]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses("tenant_settings"));
        var record = Assert.Single(run.Records("tenant_settings"));
        var settings = JsonNode.Parse(record.GetRawText())!.AsObject();
        Assert.Equal(new Uri(tenant.BaseUrl).Host, (string?)settings["tenant_domain"]);
        Assert.Equal("tenant_domain", settings.First().Key);
        settings.Remove("tenant_domain");
        Assert.True(JsonNode.DeepEquals(tenant.TenantSettings, settings), "the settings changed in transit");
        Assert.Equal("My acme-prod", record.GetProperty("friendly_name").GetString());
        StreamChecks.AssertFitTheSchema("tenant_settings", [record]);
        Assert.Single(run.States("tenant_settings"));
    }

    [Fact]
    public async Task Discover_TenantSettings_TenantDomainKeyFullRefreshOnly()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 10, Organizations = 0 });

        var run = await ConnectorRun.InvokeAsync(["discover", "--config", _files.ClientCredentialsConfig(tenant)]);

        Assert.Equal(0, run.ExitCode);
        var stream = run.OfType("CATALOG").Single().GetProperty("catalog").GetProperty("streams").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "tenant_settings");
        Assert.Equal("""[["tenant_domain"]]""", stream.GetProperty("source_defined_primary_key").GetRawText());
        Assert.Equal("""["full_refresh"]""", stream.GetProperty("supported_sync_modes").GetRawText());
        Assert.False(stream.TryGetProperty("default_cursor_field", out _));
    }

    [Fact]
    public Task Read_WithoutReadTenantSettings_OnlyThisStreamIncompleteNamingTheScope() =>
        StreamChecks.AssertMissingScopeFailsOnlyTheStreamAsync("tenant_settings", "read:tenant_settings");

    [Fact]
    public Task Check_WithAndWithoutTenantSettings_ProbesOnceAndNamesTheMissingScope() =>
        StreamChecks.AssertCheckProbesTheStreamAsync("tenant_settings", "read:tenant_settings", "/api/v2/tenants/settings");

    public void Dispose() => _files.Dispose();
}
