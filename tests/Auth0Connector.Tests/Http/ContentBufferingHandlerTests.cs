using System.Net;
using System.Net.Sockets;
using System.Text;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Http;

/// <summary>Endless or oversized bodies are refused at the cap, never buffered without bound.</summary>
public class ContentBufferingHandlerTests : IDisposable
{
    private readonly TempFiles _files = new();

    /// <summary>A raw HTTP server: the token, then for any GET a chunked body that never ends (or a huge announced one).</summary>
    private static async Task ServeAsync(TcpListener listener, bool announceHuge, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(stop);
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    var stream = client.GetStream();
                    var request = new byte[8192];
                    var read = await stream.ReadAsync(request, stop);
                    var head = Encoding.ASCII.GetString(request, 0, read);
                    try
                    {
                        if (announceHuge)
                        {
                            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n{\"clients\":["), stop);
                            await Task.Delay(TimeSpan.FromSeconds(30), stop);
                            return;
                        }

                        await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"), stop);
                        var chunk = Encoding.ASCII.GetBytes($"{1 << 20:x}\r\n" + new string(' ', 1 << 20) + "\r\n");
                        while (!stop.IsCancellationRequested)
                        {
                            await stream.WriteAsync(chunk, stop);
                        }
                    }
                    catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
                    {
                        // The connector hung up: what the test wants.
                    }

                    _ = head;
                }
            }, stop);
        }
    }

    [Theory]
    [InlineData(false, "went on past 32 MiB")]
    [InlineData(true, "announced 10,000,000,000 bytes")]
    public async Task Read_EndlessOrHugeBody_RefusedAtTheCapAsASystemError(bool announceHuge, string expected)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var server = ServeAsync(listener, announceHuge, stop.Token);
        var config = _files.AccessTokenConfig($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}", "tok-endless-123456");

        var run = await ConnectorRun.InvokeAsync(["read", "--config", config, "--streams", "clients"]);

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => server);
        Assert.Equal(1, run.ExitCode);
        var error = Assert.Single(run.Errors);
        Assert.Equal("system_error", error.GetProperty("failure_type").GetString());
        Assert.Contains(expected, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    public void Dispose() => _files.Dispose();
}
