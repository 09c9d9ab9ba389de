using System.Diagnostics;
using Auth0Connector.Cli;
using Auth0Connector.FakeTenant;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Cli;

/// <summary>When stdout's reader goes away the connector stops reading the tenant and exits non-zero.</summary>
public class BrokenPipeTests : IDisposable
{
    private readonly TempFiles _files = new();

    /// <summary>An stdout whose reader left after <paramref name="capacity"/> bytes: every later write fails.</summary>
    private sealed class ClosingStream(long capacity) : Stream
    {
        private long _written;

        public int FailedWrites { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _written;

        public override long Position { get => _written; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_written + buffer.Length > capacity)
            {
                FailedWrites++;
                throw new IOException("Broken pipe");
            }

            _written += buffer.Length;
        }
    }

    [Fact]
    public async Task RunAsync_StdoutThrowsIOException_StopsRequestingAndExitsNonZero()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 10_000, Organizations = 0, Clients = 2 });
        using var stdout = new ClosingStream(capacity: 20_000);
        using var stderr = new StringWriter();

        var exitCode = await ConnectorApp.RunAsync(
            ["read", "--config", _files.ClientCredentialsConfig(tenant, """, "max_concurrency": 4"""), "--catalog", _files.Catalog(["users", "clients"], usersFullRefresh: true)],
            new ConnectorEnvironment { Stdout = stdout, Stderr = stderr });

        Assert.NotEqual(0, exitCode);
        Assert.Equal(1, stdout.FailedWrites);
        Assert.Contains("stdout", stderr.ToString(), StringComparison.Ordinal);
        // 10,000 users are 100 pages of 100 (and the planner's counts); the run stopped after the first few.
        var requestsAtExit = tenant.ApiRequestCount;
        Assert.InRange(requestsAtExit, 1, 40);
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.Equal(requestsAtExit, tenant.ApiRequestCount);
    }

    [Fact]
    public async Task Binary_ReaderClosesStdout_ExitsNonZeroWithinSecondsAndSendsNoMoreRequests()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 12_000, Organizations = 0 });
        var start = new ProcessStartInfo(ConnectorProcess.Binary()) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["read", "--config", _files.ClientCredentialsConfig(tenant, """, "max_concurrency": 4"""), "--catalog", _files.Catalog(["users"], usersFullRefresh: true)])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        for (var i = 0; i < 3; i++)
        {
            Assert.NotNull(await process.StandardOutput.ReadLineAsync());
        }

        process.StandardOutput.Close(); // the reader goes away: the next writes meet EPIPE
        var closedAt = Stopwatch.StartNew();
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            Assert.Fail($"still running {closedAt.Elapsed.TotalSeconds:F0} s after its stdout was closed; the tenant served {tenant.ApiRequestCount} requests");
        }

        var requestsAtExit = tenant.ApiRequestCount;
        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains("stdout", await errors, StringComparison.Ordinal);
        // 12,000 users are 120 pages of 100: the run stopped long before the end.
        Assert.InRange(requestsAtExit, 1, 60);
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.Equal(requestsAtExit, tenant.ApiRequestCount);
    }

    public void Dispose() => _files.Dispose();
}
