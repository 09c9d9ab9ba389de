using System.Net;
using System.Net.Sockets;
using Auth0Connector.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Auth0Connector.Tests.Cli;

/// <summary>An unreachable or silent tenant: check and read say so quickly, once, and stop.</summary>
public class FailFastTests : IDisposable
{
    private const string Secret = "failfast-s3cr3t-4b5c6d";
    private static readonly string[] Streams = ["clients", "organizations", "organization_members", "organization_member_roles", "users"];
    private readonly TempFiles _files = new();

    private string Config(string baseUrl, string extra = "") => _files.Write($"config-{Guid.NewGuid():N}.json", $$$"""
        {"base_url":"{{{baseUrl}}}"{{{extra}}},
         "credentials":{"auth_type":"oauth2_confidential_application","client_id":"cid-123456","client_secret":"{{{Secret}}}"}}
        """);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void AssertOneErrorAndEveryStreamIncomplete(ConnectorRun run)
    {
        Assert.Equal(1, run.ExitCode);
        Assert.Single(run.Errors);
        foreach (var stream in Streams)
        {
            Assert.Equal("INCOMPLETE", run.Statuses(stream).Last());
        }
    }

    [Fact]
    public async Task Read_ConnectionRefused_OneErrorWithinSeconds()
    {
        var config = Config($"http://127.0.0.1:{FreePort()}");
        var started = TimeProvider.System.GetTimestamp();

        var run = await ConnectorRun.InvokeAsync(["read", "--config", config]);

        // Six retries of a refused connection wait 0.5 + 1 + 2 + 4 + 4 + 4 s, not a minute each.
        Assert.InRange(TimeProvider.System.GetElapsedTime(started), TimeSpan.Zero, TimeSpan.FromSeconds(30));
        AssertOneErrorAndEveryStreamIncomplete(run);
        Assert.Contains("Check base_url", run.Errors.Single().GetProperty("message").GetString(), StringComparison.Ordinal);
        run.AssertNoSecrets(Secret);
    }

    [Fact]
    public async Task Read_TokenEndpointKeepsFailing_TriedMaxRetriesPlusOneTimesInAll()
    {
        using var tenant = WireMockServer.Start();
        tenant.Given(Request.Create().WithPath("/oauth/token")).RespondWith(Response.Create().WithStatusCode(503));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);

        ConnectorRun run;
        await using (new ClockPump(time, TimeSpan.FromSeconds(1)))
        {
            run = await ConnectorRun.InvokeAsync(["read", "--config", Config(tenant.Url!, """, "max_retries": 2""")], time);
        }

        AssertOneErrorAndEveryStreamIncomplete(run);
        Assert.Equal(3, tenant.LogEntries.Count());
    }

    [Fact]
    public async Task CheckAndRead_HostAcceptsButNeverAnswers_FailWithinTheirBounds()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepted = new List<Socket>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                accepted.Add(await listener.AcceptSocketAsync(stop.Token));
            }
        });
        var config = Config($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);

        ConnectorRun check, read;
        TimeSpan checkTook, readTook;
        await using (var pump = new ClockPump(time, TimeSpan.FromMilliseconds(250)))
        {
            check = await ConnectorRun.InvokeAsync(["check", "--config", config], time);
            checkTook = pump.Advanced;
            read = await ConnectorRun.InvokeAsync(["read", "--config", config], time);
            readTook = pump.Advanced - checkTook;
        }

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => accepting);
        accepted.ForEach(s => s.Dispose());
        Assert.Equal("FAILED", check.ConnectionStatus.GetProperty("status").GetString());
        Assert.Contains("127.0.0.1", check.ConnectionStatus.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.InRange(checkTook, TimeSpan.Zero, TimeSpan.FromSeconds(30));
        AssertOneErrorAndEveryStreamIncomplete(read);
        Assert.InRange(readTook, TimeSpan.Zero, TimeSpan.FromSeconds(90));
    }

    public void Dispose() => _files.Dispose();
}
