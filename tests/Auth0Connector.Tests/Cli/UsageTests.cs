using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Cli;

/// <summary>Command-line mistakes are for the person typing: usage on stderr, nothing on stdout, exit 2.</summary>
public class UsageTests
{
    [Theory]
    [InlineData]
    [InlineData("bogus")]
    [InlineData("check")]
    [InlineData("discover")]
    [InlineData("spec", "--config", "x.json")]
    [InlineData("read", "--colour")]
    [InlineData("read", "--config", "c.json", "--catalog", "k.json", "--streams", "users")]
    public async Task Run_UsageMistake_PrintsUsageOnStderrAndExits2(params string[] args)
    {
        var run = await ConnectorRun.InvokeAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Lines);
        Assert.StartsWith("error: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("Usage:", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NoArguments_UsageNamesEveryCommand()
    {
        var run = await ConnectorRun.InvokeAsync([]);

        foreach (var command in (string[])["spec", "check", "discover", "read"])
        {
            Assert.Contains(command, run.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Run_MissingConfigOfCheck_NamesTheOptionAndShowsCheckUsage()
    {
        var run = await ConnectorRun.InvokeAsync(["check"]);

        Assert.Contains("--config", run.Stderr.Split('\n')[0], StringComparison.Ordinal);
        Assert.Contains("check [options]", run.Stderr, StringComparison.Ordinal);
    }
}
