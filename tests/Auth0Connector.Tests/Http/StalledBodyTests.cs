using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Auth0Connector.Cli;
using Auth0Connector.Configuration;
using Auth0Connector.Foundation;
using Auth0Connector.Http;
using Auth0Connector.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Auth0Connector.Tests.Http;

/// <summary>
/// A server that sends its headers and then stalls the body: each attempt is abandoned after
/// <c>stall_timeout_seconds</c> of silence and retried soon, and a server stalling every attempt ends the read
/// with an error naming the path, with the default settings well within two minutes.
/// </summary>
[Collection(TimingSensitive.Name)]
public class StalledBodyTests : IDisposable
{
    private const string Clients = """{"clients":[{"client_id":"c1","name":"one"}],"start":0,"limit":100,"length":1,"total":1}""";
    private readonly TempFiles _files = new();

    /// <summary>
    /// A raw HTTP server on loopback, on threads of its own with blocking sockets (the connector's thread pool being
    /// busy cannot stretch its pauses). <paramref name="gap"/> null: every answer sends its headers and the first bytes
    /// of the body, then nothing (the connection stays open). Otherwise the whole body arrives a few bytes at a time,
    /// <paramref name="gap"/> apart. One request per connection (<c>Connection: close</c>). Counts the requests it answered.
    /// </summary>
    private sealed class RawServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly ManualResetEventSlim _stop = new();
        private readonly TimeSpan? _gap;
        private int _requests;

        public RawServer(TimeSpan? gap)
        {
            _gap = gap;
            _listener.Start();
            new Thread(Accept) { IsBackground = true }.Start();
        }

        public string BaseUrl => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

        public int Requests => Volatile.Read(ref _requests);

        private void Accept()
        {
            try
            {
                while (true)
                {
                    var client = _listener.AcceptTcpClient();
                    new Thread(() => Answer(client)) { IsBackground = true }.Start();
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                // Stopped.
            }
        }

        private void Answer(TcpClient client)
        {
            using (client)
            {
                try
                {
                    client.NoDelay = true;
                    var stream = client.GetStream();
                    _ = stream.Read(new byte[8192]);
                    Interlocked.Increment(ref _requests);
                    var body = Encoding.UTF8.GetBytes(Clients);
                    stream.Write(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"));
                    if (_gap is not { } pause)
                    {
                        stream.Write(body.AsSpan(0, 10));
                        _stop.Wait();
                        return;
                    }

                    foreach (var piece in body.Chunk(8))
                    {
                        stream.Write(piece);
                        if (_stop.Wait(pause))
                        {
                            return;
                        }
                    }
                }
                catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
                {
                    // The connector hung up, or the test ended.
                }
            }
        }

        public void Dispose()
        {
            _stop.Set();
            _listener.Stop();
        }
    }

    private string Config(string baseUrl, string extra) => _files.Write($"config-{Guid.NewGuid():N}.json", $$"""
        {"base_url": {{JsonSerializer.Serialize(baseUrl)}}, "credentials": {"auth_type": "oauth2_access_token", "access_token": "tok-stall-7f3e9a"}{{extra}}}
        """);

    [Fact]
    public async Task Read_EveryBodyStalls_EachAttemptAbandonedAfterTheSilenceThenAnErrorNamingThePath()
    {
        using var server = new RawServer(gap: null);
        var clock = Stopwatch.StartNew();

        var run = await ConnectorRun.InvokeAsync(["read", "--config", Config(server.BaseUrl, """, "stall_timeout_seconds": 1, "max_retries": 2"""), "--streams", "clients"]);

        clock.Stop();
        Assert.Equal(1, run.ExitCode);
        Assert.Equal(3, server.Requests);
        var error = Assert.Single(run.Errors);
        Assert.Equal("transient_error", error.GetProperty("failure_type").GetString());
        var message = error.GetProperty("message").GetString()!;
        Assert.Contains("/api/v2/clients", message, StringComparison.Ordinal);
        Assert.Contains("no byte of its body for 1 s (stall_timeout_seconds)", message, StringComparison.Ordinal);
        Assert.Equal(["STARTED", "INCOMPLETE"], run.Statuses("clients"));
        // Three silences of 1 s and two quick waits (0.5 s, 1 s): not the 60 s attempt timeout, nor a backoff of seconds.
        var bound = RetryPolicy.StalledRequestBound(2, TimeSpan.FromSeconds(1));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(3), bound + TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Read_BodyTricklingInWithGapsUnderTheSilence_ReadWholeThoughItTakesLongerThanTheSilence()
    {
        using var server = new RawServer(gap: TimeSpan.FromMilliseconds(250));
        var clock = Stopwatch.StartNew();

        // No retries allowed: an abandoned attempt would fail the stream.
        var run = await ConnectorRun.InvokeAsync(["read", "--config", Config(server.BaseUrl, """, "stall_timeout_seconds": 2, "max_retries": 0"""), "--streams", "clients"]);

        Assert.True(run.ExitCode == 0, string.Join("\n", run.Errors.Select(e => e.GetRawText())));
        Assert.Equal("c1", Assert.Single(run.Records("clients")).GetProperty("client_id").GetString());
        // Each answer (a count, then the page) took 2.5 s to arrive, longer than the silence allowed.
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(2.3) * server.Requests, $"{server.Requests} answers in {clock.Elapsed}");
    }

    /// <summary>The defaults (6 retries, 10 s of silence) bound a request whose every body stalls: 7 × 10 s + 0.5 + 1 + 2 + 4 + 4 + 4 s.</summary>
    [Fact]
    public void StalledRequestBound_DefaultSettings_UnderTwoMinutes()
    {
        var bound = RetryPolicy.StalledRequestBound(ConnectorConfig.DefaultMaxRetries, TimeSpan.FromSeconds(ConnectorConfig.DefaultStallTimeoutSeconds));

        Assert.Equal(TimeSpan.FromSeconds(85.5), bound);
        Assert.True(bound < TimeSpan.FromMinutes(2));
    }

    /// <summary>
    /// The real send path with the default settings, on a fake clock (no real waiting): every attempt's body stalls,
    /// and the request fails, as one that stops the sync, within the bound the policy gives.
    /// </summary>
    [Fact]
    public async Task SendPath_DefaultSettingsEveryBodyStalls_FailsWithinTheBoundAndStopsTheSync()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var staller = new StallingBodyHandler();
        using var document = JsonDocument.Parse("""{"base_url": "https://stall.example.com", "credentials": {"auth_type": "oauth2_access_token", "access_token": "tok-stall-7f3e9a"}}""");
        var config = ConnectorConfig.Parse(document.RootElement);
        var redactor = new Redactor();
        await using var services = ConnectorServices.Build(config, time, new DiagnosticLog(TextWriter.Null, false, redactor), redactor, s => s.AddHttpClient<Auth0ApiClient>().AddHttpMessageHandler(() => staller));
        var api = services.GetRequiredService<Auth0ApiClient>();
        var start = time.GetUtcNow();

        var request = api.GetJsonAsync("clients?page=0&per_page=100&include_totals=true", CancellationToken.None);
        await using (new ClockPump(time, TimeSpan.FromMilliseconds(100), only: () => !request.IsCompleted))
        {
            var error = await Assert.ThrowsAsync<Auth0TransportException>(() => request);
            Assert.True(error.Unreachable);
            Assert.Contains("/api/v2/clients", error.Message, StringComparison.Ordinal);
        }

        var elapsed = time.GetUtcNow() - start;
        Assert.Equal(ConnectorConfig.DefaultMaxRetries + 1, staller.Calls);
        var bound = RetryPolicy.StalledRequestBound(ConnectorConfig.DefaultMaxRetries, config.StallTimeout);
        Assert.InRange(elapsed, TimeSpan.FromSeconds(70), bound + TimeSpan.FromSeconds(3));
        Assert.True(elapsed < TimeSpan.FromMinutes(2), $"{elapsed} is not under two minutes");
    }

    public void Dispose() => _files.Dispose();

    /// <summary>Answers every request itself: headers at once, then a body that never yields a byte.</summary>
    private sealed class StallingBodyHandler : DelegatingHandler
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            var response = new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request, Content = new StreamContent(new SilentStream()) };
            response.Content.Headers.ContentType = new("application/json");
            return Task.FromResult(response);
        }
    }

    private sealed class SilentStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            return 0;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("read asynchronously");

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>
/// Tests that measure real seconds of silence: they run alone, after the others, since a thread pool kept busy by
/// tests running beside them can hold a read's completion past a short silence.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingSensitive
{
    public const string Name = "timing-sensitive";
}
