using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Cli;

/// <summary><c>read --state</c> with a state this connector did not write: nothing is ignored silently.</summary>
public class StateWarningTests : IDisposable
{
    private readonly TempFiles _files = new();


    [Fact]
    public async Task Read_StateOfAnotherConnectorAndGlobalState_WarnsAndRereadsEveryUser()
    {
        using var tenant = SmallTenant.Start("state-warn-s3cr3t-1a2b");
        var state = _files.Write("state.json", """
            [{"type":"STREAM","stream":{"stream_descriptor":{"name":"tickets"},"stream_state":{"updated_at":"2024-01-01T00:00:00Z"}}},
             {"type":"GLOBAL","global":{"shared_state":{"lsn":42},"stream_states":[{"stream_descriptor":{"name":"users"},"stream_state":{"cursor":"abc"}}]}}]
            """);

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["users"]), "--state", state]);

        Assert.Equal(0, run.ExitCode);
        var warnings = run.Warnings.ToList();
        Assert.Contains(warnings, w => w.Contains("'tickets'", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("GLOBAL", StringComparison.Ordinal) && w.Contains("shared_state is ignored", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("no 'updated_at' cursor", StringComparison.Ordinal));
        Assert.Equal(tenant.Options.Users, run.Records("users").Count());
    }

    /// <summary>
    /// Airbyte's acceptance test <c>test_state_with_abnormally_large_values</c>, with source-auth0's abnormal state: no
    /// records, at least one STATE, exit 0, every line a valid protocol message; the users state comes back unchanged.
    /// </summary>
    [Theory]
    [InlineData("3021-01-01")]
    [InlineData("3021-01-01T00:00:00.000Z")]
    public async Task Read_UsersStateWithAnAbnormallyLargeValue_NoRecordsAStateAndExitZero(string cursor)
    {
        using var tenant = SmallTenant.Start("future-state-s3cr3t-4d5e");
        var state = _files.Write($"state-{Guid.NewGuid():N}.json", """
            [{"type": "STREAM", "stream": {"stream_descriptor": {"name": "users"}, "stream_state": {"updated_at": "CURSOR"}}}]
            """.Replace("CURSOR", cursor, StringComparison.Ordinal));

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["users"]), "--state", state]);

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.OfType("RECORD"));
        var only = Assert.Single(run.States("users"));
        Assert.Equal($$"""{"updated_at":"{{cursor}}"}""", only.GetProperty("stream").GetProperty("stream_state").GetRawText());
        Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses("users"));
        StreamChecks.AssertFutureStateWarning(run, "users", "3021-01-01T00:00:00.000Z");
        Assert.Empty(StreamChecks.QueriesTo(tenant, "/api/v2/users"));
    }

    /// <summary>Every incremental stream with a position after the sync's start: each warns and keeps its state; the rest of the sync is untouched.</summary>
    [Fact]
    public async Task Read_EveryIncrementalStreamInTheFuture_EachKeepsItsStateAndTheOthersComplete()
    {
        using var tenant = SmallTenant.Start("future-state-s3cr3t-7f8a", o => o.Logs = 30);
        var beyond = new string('9', tenant.LogIds[^1].Length);
        var state = _files.Write($"state-{Guid.NewGuid():N}.json", """
            [{"type": "STREAM", "stream": {"stream_descriptor": {"name": "users"}, "stream_state": {"updated_at": "3021-01-01T00:00:00.000Z"}}},
             {"type": "STREAM", "stream": {"stream_descriptor": {"name": "logs"}, "stream_state": {"log_id": "BEYOND"}}},
             {"type": "STREAM", "stream": {"stream_descriptor": {"name": "stats_daily"}, "stream_state": {"date": "3021-01-01T00:00:00.000Z"}}}]
            """.Replace("BEYOND", beyond, StringComparison.Ordinal));

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--streams", "users,logs,stats_daily,clients", "--state", state]);

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Errors);
        foreach (var (stream, value) in new[] { ("users", "3021-01-01T00:00:00.000Z"), ("logs", beyond), ("stats_daily", "3021-01-01T00:00:00.000Z") })
        {
            Assert.Empty(run.Records(stream));
            Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses(stream));
            Assert.Contains(value, Assert.Single(run.States(stream)).GetProperty("stream").GetProperty("stream_state").GetRawText(), StringComparison.Ordinal);
            StreamChecks.AssertFutureStateWarning(run, stream, value);
        }

        StreamChecks.AssertClientsComplete(run, tenant);
    }

    /// <summary>A users cursor before 2000 (before Auth0) is read from: every user, and the cursor moves on.</summary>
    [Fact]
    public async Task Read_UsersStateBefore2000_ReadsEveryUser()
    {
        using var tenant = SmallTenant.Start("old-state-s3cr3t-0b1c");
        var state = _files.Write($"state-{Guid.NewGuid():N}.json", """
            [{"type": "STREAM", "stream": {"stream_descriptor": {"name": "users"}, "stream_state": {"updated_at": "1970-01-01T00:00:00.000Z"}}}]
            """);

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["users"]), "--state", state]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(tenant.Options.Users, run.Records("users").Count());
        Assert.DoesNotContain(run.Warnings, w => w.StartsWith("users:", StringComparison.Ordinal));
        var saved = DateTimeOffset.Parse(run.States("users").Last().GetProperty("stream").GetProperty("stream_state").GetProperty("updated_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.All(run.Records("users"), user => Assert.True(DateTimeOffset.Parse(user.GetProperty("updated_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture) <= saved));
    }

    public void Dispose() => _files.Dispose();
}
