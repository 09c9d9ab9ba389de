using System.Text.RegularExpressions;
using Auth0Connector.FakeTenant;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Cli;

/// <summary>The scheduler keeps every rate-limit bucket busy: streams of different endpoint groups are read side by side.</summary>
public partial class SyncSchedulerTests : IDisposable
{
    private readonly TempFiles _files = new();

    [Fact]
    public async Task Read_StreamsInDifferentBuckets_AreReadSideBySide()
    {
        // Essentials: organization connections (burst 5, 50 per minute) and role users (all other endpoints:
        // burst 10, 150 per minute) each need more requests than their burst, so each waits on its own bucket.
        using var tenant = SmallTenant.Start("sched-s3cr3t-1a2b3c", o =>
        {
            o.RateLimitPlan = RateLimitPlan.Essentials;
            o.Organizations = 8;
            o.ConnectionsPerOrganization = 1;
            o.Roles = 14;
            o.UsersPerRole = 1;
        });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--streams", "organization_connections,role_users", "--debug"]);

        Assert.Equal(0, run.ExitCode);
        var connections = EmittedAt(run, "organization_connections");
        var roleUsers = EmittedAt(run, "role_users");
        Assert.Equal(8, connections.Count);
        Assert.Equal(14, roleUsers.Count);
        // One after the other, the two spans would not overlap; side by side, each starts before the other ends.
        Assert.True(
            Math.Max(connections[0], roleUsers[0]) < Math.Min(connections[^1], roleUsers[^1]),
            $"organization_connections {connections[0]}..{connections[^1]}, role_users {roleUsers[0]}..{roleUsers[^1]}: read one after the other\n{run.Stderr}");
        Assert.All(tenant.ServedByBucket.Values, b => Assert.Equal(0, b.RateLimited));

        // --debug names each request's bucket; the summary has one line per bucket with its requests.
        Assert.Contains("(Read Organization Connections bucket, rate limit remaining", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("(all other endpoints bucket, rate limit remaining", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("rate-limit buckets (one per endpoint group):", run.Stderr, StringComparison.Ordinal);
        var line = BucketLine().Match(run.Stderr);
        Assert.True(line.Success, run.Stderr);
        Assert.Equal("5", line.Groups["burst"].Value);
        Assert.Equal(8, int.Parse(line.Groups["requests"].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static List<long> EmittedAt(ConnectorRun run, string stream) =>
        run.OfType("RECORD").Select(m => m.GetProperty("record"))
            .Where(r => r.GetProperty("stream").GetString() == stream)
            .Select(r => r.GetProperty("emitted_at").GetInt64()).Order().ToList();

    [GeneratedRegex(@"\n\s+Read Organization Connections: burst (?<burst>\d+), [^;]+; (?<requests>\d+) requests, [\d.]+ s waited")]
    private static partial Regex BucketLine();

    [Theory]
    [InlineData("groups", "Other")]
    [InlineData("group_members", "Other")]
    [InlineData("role_groups", "Other")]
    [InlineData("organization_connections", "ReadOrganizationConnections")]
    public void LaneOf_GroupStreams_IsTheOtherEndpointsLane(string stream, string expected)
    {
        var configured = new Auth0Connector.Cli.ConfiguredStream(new Auth0Connector.Streams.StreamRegistry().Find(stream)!, Auth0Connector.Streams.SyncMode.FullRefresh);
        Assert.Equal(Enum.Parse<Auth0Connector.Http.EndpointGroup>(expected), Auth0Connector.Cli.SyncScheduler.LaneOf([configured]));
    }

    public void Dispose() => _files.Dispose();
}
