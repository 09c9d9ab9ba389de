using System.Diagnostics;
using Auth0Connector.FakeTenant;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Cli;

/// <summary>The real binary with its stderr on a pseudo-terminal (util-linux <c>script</c>), as a person runs it.</summary>
public class TerminalProgressTests : IDisposable
{
    private readonly TempFiles _files = new();

    [Fact]
    public async Task Read_StderrIsATerminal_RedrawsAProgressLineAndEndsWithTheSummary()
    {
        Assert.True(File.Exists("/usr/bin/script"), "util-linux 'script' provides the pseudo-terminal");
        // 40 ms per request and 100 users per page: 80 pages, the users stream runs for over 3 s.
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 8_000, Organizations = 0, Latency = TimeSpan.FromMilliseconds(40) });
        var config = _files.ClientCredentialsConfig(tenant, """, "max_concurrency": 1""");
        var records = Path.Combine(Path.GetDirectoryName(config)!, "records.jsonl");
        var command = $"'{ConnectorProcess.Binary()}' read --config '{config}' --streams users > '{records}'";
        var start = new ProcessStartInfo("/usr/bin/script") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in (string[])["-q", "-e", "-f", "-c", command, "/dev/null"])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var terminal = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(0, process.ExitCode);
        // Redrawn in place at least once a second: a carriage return, the stream and its figures.
        Assert.Matches(@"\rusers: [\d,]+ records \([\d,]+/s\), [\d,]+ requests, [\d.]+ s waited on rate limits", terminal);
        Assert.Contains("read: 1 of 1 streams complete", terminal, StringComparison.Ordinal);
        Assert.Matches(@"users\s+COMPLETE\s+8,000", terminal);
        // stdout, redirected to the file, carried the protocol messages and nothing else.
        var lines = await File.ReadAllLinesAsync(records);
        Assert.Equal(8_000, lines.Count(l => l.StartsWith("{\"type\":\"RECORD\"", StringComparison.Ordinal)));
        Assert.All(lines, l => Assert.StartsWith("{\"type\":", l, StringComparison.Ordinal));
    }

    public void Dispose() => _files.Dispose();
}
