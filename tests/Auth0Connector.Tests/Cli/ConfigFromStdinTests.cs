using System.Diagnostics;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Cli;

/// <summary><c>--config -</c>: the config piped in, for every command that takes one.</summary>
public class ConfigFromStdinTests : IDisposable
{
    private const string Secret = "stdin-s3cr3t-1c2d3e";
    private readonly TempFiles _files = new();

    [Fact]
    public async Task CheckDiscoverRead_ConfigFromStdin_WorkAsWithAFile()
    {
        using var tenant = SmallTenant.Start(Secret);
        var config = await File.ReadAllTextAsync(_files.ClientCredentialsConfig(tenant));

        var check = await ConnectorRun.InvokeAsync(["check", "--config", "-"], stdin: config);
        var discover = await ConnectorRun.InvokeAsync(["discover", "--config", "-"], stdin: config);
        var read = await ConnectorRun.InvokeAsync(["read", "--config", "-", "--streams", "clients"], stdin: config);

        Assert.Equal("SUCCEEDED", check.ConnectionStatus.GetProperty("status").GetString());
        Assert.Single(discover.OfType("CATALOG"));
        Assert.Equal(0, read.ExitCode);
        Assert.Equal(tenant.Options.Clients, read.Records("clients").Count());
    }

    [Theory]
    [InlineData("", "standard input is empty")]
    [InlineData("{not json", "standard input is not valid JSON")]
    public async Task Discover_BadConfigOnStdin_ConfigErrorSaysWhereItCameFrom(string stdin, string expected)
    {
        var run = await ConnectorRun.InvokeAsync(["discover", "--config", "-"], stdin: stdin);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(expected, Assert.Single(run.Errors).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_RealBinaryWithConfigPiped_Succeeds()
    {
        using var tenant = SmallTenant.Start(Secret);
        var start = new ProcessStartInfo(ConnectorProcess.Binary()) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["check", "--config", "-"])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(await File.ReadAllTextAsync(_files.ClientCredentialsConfig(tenant)));
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(0, process.ExitCode);
        Assert.Contains("\"status\":\"SUCCEEDED\"", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, output, StringComparison.Ordinal);
    }

    public void Dispose() => _files.Dispose();
}
