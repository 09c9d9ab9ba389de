using System.Text.RegularExpressions;
using Auth0Connector.FakeTenant;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Cli;

/// <summary>Where Auth0 reports a total, the read compares it with what was delivered: in the summary, and a WARN for a shortfall.</summary>
public class ReconciliationTests : IDisposable
{
    private static readonly string[] Streams = ["users", "clients", "organizations", "organization_connections", "organization_invitations"];
    private readonly TempFiles _files = new();


    /// <summary>The summary row of <paramref name="stream"/>: its records and the total the tenant reported ("-": none).</summary>
    private static (string Records, string Total) Row(ConnectorRun run, string stream)
    {
        var row = Regex.Match(run.Stderr, $@"^\s+{stream}\s+COMPLETE\s+(\S+)\s+(\S+)\s", RegexOptions.Multiline);
        Assert.True(row.Success, $"no summary row for {stream}:\n{run.Stderr}");
        return (row.Groups[1].Value, row.Groups[2].Value);
    }

    [Fact]
    public async Task Read_TenantReportingMoreThanItsListingsHold_WarnsNamingEachShortStreamAndShowsBothInTheSummary()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 150, Clients = 30, Organizations = 2, ConnectionsPerOrganization = 3, OverstatedTotal = 5 });

        var run = await _files.ReadAsync(tenant, Streams, """, "max_concurrency": 1""");

        // Nothing is missing from the records, but the totals say otherwise: the read completes, and says so.
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(150, run.Records("users").Count());
        var warnings = run.Warnings.ToList();
        Assert.Contains(warnings, w => w.StartsWith("users: delivered 150 records where the tenant reported 155: 5 missing", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith("clients: delivered 30 records where the tenant reported 35: 5 missing", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith("organization_connections: delivered 6 records where the tenant reported 16: 10 missing", StringComparison.Ordinal));
        // Checkpoint listings and invitations report no total: nothing to compare.
        Assert.Equal(3, warnings.Count);
        Assert.Equal(("150", "155"), Row(run, "users"));
        Assert.Equal(("30", "35"), Row(run, "clients"));
        Assert.Equal(("6", "16"), Row(run, "organization_connections"));
        Assert.Equal(("2", "-"), Row(run, "organizations"));
        Assert.Equal(("6", "-"), Row(run, "organization_invitations"));
        Assert.Contains("clients: 5 fewer records than the tenant reported", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_TenantWhoseTotalsMatch_ShowsDeliveredAndTotalWithoutAWarning()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 150, Clients = 30, Organizations = 2, ConnectionsPerOrganization = 3 });

        var run = await _files.ReadAsync(tenant, Streams);

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Warnings);
        Assert.Equal(("150", "150"), Row(run, "users"));
        Assert.Equal(("30", "30"), Row(run, "clients"));
        Assert.Equal(("6", "6"), Row(run, "organization_connections"));
        Assert.Contains(run.OfType("LOG"), l => l.GetProperty("log").GetProperty("message").GetString()!.StartsWith("organization_connections: 6 records in", StringComparison.Ordinal)
            && l.GetProperty("log").GetProperty("message").GetString()!.EndsWith("(the tenant reported 6 for its 2 listings)", StringComparison.Ordinal));
        Assert.DoesNotContain("fewer records than the tenant reported", run.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _files.Dispose();
}
