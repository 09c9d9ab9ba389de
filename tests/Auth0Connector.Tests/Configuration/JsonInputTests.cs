using System.Diagnostics;
using System.Text;
using Auth0Connector.Configuration;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Configuration;

/// <summary>Config, catalog and state files: bounded in size and nesting, whatever the file is.</summary>
public class JsonInputTests : IDisposable
{
    private const int MiB = 1024 * 1024;

    private readonly TempFiles _files = new();

    /// <summary>A valid JSON object padded with spaces to <paramref name="bytes"/> bytes.</summary>
    private string Padded(int bytes) => _files.Write($"padded-{Guid.NewGuid():N}.json", "{}" + new string(' ', bytes - 2));

    [Theory]
    [InlineData("config", 1, "1 MiB")]
    [InlineData("catalog", 16, "16 MiB")]
    [InlineData("state", 16, "16 MiB")]
    public void ReadFile_OverItsCap_IsAConfigErrorNamingTheFileAndTheCap(string what, int capMiB, string cap)
    {
        var path = Padded((capMiB * MiB) + 1);

        var error = Assert.Throws<ConfigException>(() => JsonInput.ReadFile(path, what));

        Assert.Equal(what, error.Field);
        Assert.Contains($"The {what} file", error.Message, StringComparison.Ordinal);
        Assert.Contains(cap, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("config", 1)]
    [InlineData("catalog", 16)]
    public void ReadFile_AtItsCap_IsRead(string what, int capMiB)
    {
        using var document = JsonInput.ReadFile(Padded(capMiB * MiB), what);

        Assert.Equal(System.Text.Json.JsonValueKind.Object, document.RootElement.ValueKind);
    }

    [Fact]
    public void ReadFile_EndlessDevice_IsAConfigErrorNotAnAllocation()
    {
        var error = Assert.Throws<ConfigException>(() => JsonInput.ReadFile("/dev/zero", "config"));

        Assert.Contains("1 MiB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadFile_FifoFedMoreThanTheCap_IsAConfigErrorAfterReadingOnlyTheCap()
    {
        var path = _files.Write("fifo-placeholder", string.Empty);
        File.Delete(path);
        using (var mkfifo = Process.Start("mkfifo", [path]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        long written = 0;
        var writer = Task.Run(() =>
        {
            var chunk = Encoding.ASCII.GetBytes("{}" + new string(' ', MiB - 2));
            try
            {
                using var fifo = new FileStream(path, FileMode.Open, FileAccess.Write);
                for (var i = 0; i < 20; i++)
                {
                    fifo.Write(chunk);
                    written += chunk.Length;
                }
            }
            catch (IOException)
            {
                // The reader went away (EPIPE): what the test expects.
            }
        });

        var error = Assert.Throws<ConfigException>(() => JsonInput.ReadFile(path, "config"));
        await writer.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Contains("1 MiB", error.Message, StringComparison.Ordinal);
        Assert.True(written < 20L * MiB, $"the whole stream was read ({written} bytes)");
    }

    [Theory]
    [InlineData("config")]
    [InlineData("catalog")]
    [InlineData("state")]
    public void ReadFile_NestedTooDeep_IsAConfigErrorNamingTheDepth(string what)
    {
        const int Depth = 100_000;
        var path = _files.Write($"deep-{what}.json", new string('[', Depth) + new string(']', Depth));

        var error = Assert.Throws<ConfigException>(() => JsonInput.ReadFile(path, what));

        Assert.Equal(what, error.Field);
        Assert.Contains("nested deeper than 64 levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discover_ConfigOverItsCap_IsAConfigErrorTrace()
    {
        var run = await ConnectorRun.InvokeAsync(["discover", "--config", Padded(2 * MiB)]);

        Assert.Equal(1, run.ExitCode);
        var error = Assert.Single(run.Errors);
        Assert.Equal("config_error", error.GetProperty("failure_type").GetString());
        Assert.Contains("1 MiB", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    public void Dispose() => _files.Dispose();
}
