using Auth0Connector.FakeTenant;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Streams;

/// <summary>signing_keys: one request, a bare array of public material (certificates, fingerprints, rotation flags).</summary>
public class SigningKeysStreamTests : IDisposable
{
    private readonly TempFiles _files = new();

    [Fact]
    public async Task Read_PreviousCurrentAndNextKeys_EveryKeyOnceUnchanged()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 10, Organizations = 0 });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["signing_keys"])]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses("signing_keys"));
        StreamChecks.AssertExactly(run, "signing_keys", tenant.SigningKeys, "kid");
        var records = run.Records("signing_keys").ToList();
        Assert.Equal([false, true, false], records.Select(k => k.GetProperty("current").GetBoolean()));
        Assert.Single(records, k => k.GetProperty("revoked").GetBoolean());
        Assert.Equal([string.Empty], StreamChecks.QueriesTo(tenant, "/api/v2/keys/signing"));
    }

    [Fact]
    public async Task Discover_SigningKeys_KeyedByKid()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 10, Organizations = 0 });

        var run = await ConnectorRun.InvokeAsync(["discover", "--config", _files.ClientCredentialsConfig(tenant)]);

        var stream = run.OfType("CATALOG").Single().GetProperty("catalog").GetProperty("streams").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "signing_keys");
        Assert.Equal("""[["kid"]]""", stream.GetProperty("source_defined_primary_key").GetRawText());
        Assert.Equal("""["full_refresh"]""", stream.GetProperty("supported_sync_modes").GetRawText());
    }

    [Fact]
    public Task Read_WithoutReadSigningKeys_OnlyThisStreamIncompleteNamingTheScope() =>
        StreamChecks.AssertMissingScopeFailsOnlyTheStreamAsync("signing_keys", "read:signing_keys");

    [Fact]
    public Task Check_WithAndWithoutSigningKeys_ProbesOnceAndNamesTheMissingScope() =>
        StreamChecks.AssertCheckProbesTheStreamAsync("signing_keys", "read:signing_keys", "/api/v2/keys/signing");

    public void Dispose() => _files.Dispose();
}
