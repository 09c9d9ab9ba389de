using Auth0Connector.FakeTenant;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Streams;

/// <summary>A tenant where one request in ten fails (5xx or a dropped connection): nothing may be lost.</summary>
public class FaultInjectionTests : IDisposable
{
    private readonly TempFiles _files = new();

    [Fact]
    public async Task Every_record_of_every_stream_arrives_despite_ten_percent_faults()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions
        {
            Users = 1_500, Organizations = 6, MembersPerOrganization = 120, Clients = 4, FaultRate = 0.1, FaultSeed = 7,
        });

        // max_retries high enough that ten straight faults (p = 1e-10) do not end a stream.
        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant, """, "max_retries": 10"""), "--catalog", _files.Catalog(TenantFiles.AllStreams)]);

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Errors);
        Assert.True(tenant.InjectedFaultCount > 0, "no fault was injected");
        Assert.Equal(tenant.Clients.Select(c => (string)c["client_id"]!).Order(), run.Records("clients").Select(r => r.GetProperty("client_id").GetString()).Order());
        Assert.Equal(tenant.Organizations.Select(o => (string)o["id"]!).Order(), run.Records("organizations").Select(r => r.GetProperty("id").GetString()).Order());
        var members = tenant.Organizations.SelectMany(o => tenant.MembersOf((string)o["id"]!).Select(m => $"{o["id"]}/{m["user_id"]}")).Order().ToList();
        Assert.Equal(members, run.Records("organization_members").Select(r => $"{r.GetProperty("org_id").GetString()}/{r.GetProperty("user_id").GetString()}").Order());
        var roles = tenant.Organizations.SelectMany(o => tenant.MembersOf((string)o["id"]!)
            .SelectMany(m => tenant.RolesOf((string)o["id"]!, (string)m["user_id"]!).Select(r => $"{o["id"]}/{m["user_id"]}/{r["id"]}"))).Order().ToList();
        Assert.Equal(roles, run.Records("organization_member_roles").Select(r => $"{r.GetProperty("org_id").GetString()}/{r.GetProperty("user_id").GetString()}/{r.GetProperty("id").GetString()}").Order());
        var users = run.Records("users").Select(r => r.GetProperty("user_id").GetString()).ToList();
        Assert.Equal(tenant.UserIds.Order(), users.Distinct().Order());
        Assert.Equal(users.Count, users.Distinct().Count());
    }

    public void Dispose() => _files.Dispose();
}
