using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Cli;

/// <summary><c>read --state</c> with a state this connector did not write: nothing is ignored silently.</summary>
public class StateWarningTests : IDisposable
{
    private readonly TempFiles _files = new();

    private static IEnumerable<string> Warnings(ConnectorRun run) =>
        run.OfType("LOG").Select(m => m.GetProperty("log")).Where(l => l.GetProperty("level").GetString() == "WARN").Select(l => l.GetProperty("message").GetString()!);

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
        var warnings = Warnings(run).ToList();
        Assert.Contains(warnings, w => w.Contains("'tickets'", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("GLOBAL", StringComparison.Ordinal) && w.Contains("shared_state is ignored", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("no 'updated_at' cursor", StringComparison.Ordinal));
        Assert.Equal(tenant.Options.Users, run.Records("users").Count());
    }

    public void Dispose() => _files.Dispose();
}
