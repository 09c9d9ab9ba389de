using System.Globalization;
using System.Net;
using Auth0Connector.Http;
using Auth0Connector.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Auth0Connector.Tests.Http;

/// <summary>Whatever rate-limit headers a server sends, no single wait exceeds a minute and nothing throws.</summary>
public class RateLimitHeadersTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempFiles _files = new();

    private static HttpResponseMessage Response429(string? reset = null, string? retryAfter = null, string? limit = null, string? remaining = null)
    {
        var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                response.Headers.TryAddWithoutValidation(name, value);
            }
        }

        Add("x-ratelimit-reset", reset);
        Add("Retry-After", retryAfter);
        Add("x-ratelimit-limit", limit);
        Add("x-ratelimit-remaining", remaining);
        return response;
    }

    private static string Epoch(TimeSpan fromNow) => (Now + fromNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("99999999999999")]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("1e12")]
    [InlineData("18446744073709551616")]
    [InlineData("")]
    public void Read_UnparsableOrOutOfRangeReset_CountsAsAbsent(string reset)
    {
        using var response = Response429(reset: reset);

        Assert.Null(RateLimitHeaders.Read(response, Now).Reset);
    }

    [Fact]
    public void Read_ResetTwoDaysAwayOrInTheDistantPast_CountsAsAbsent()
    {
        using var future = Response429(reset: Epoch(TimeSpan.FromDays(2)));
        using var past = Response429(reset: Epoch(-TimeSpan.FromDays(400)));

        Assert.Null(RateLimitHeaders.Read(future, Now).Reset);
        Assert.Null(RateLimitHeaders.Read(past, Now).Reset);
    }

    [Theory]
    [InlineData(3600)]
    [InlineData(86400)]
    public void DelayFromHeaders_ResetHoursAway_WaitsAtMostAMinute(int seconds)
    {
        using var response = Response429(reset: Epoch(TimeSpan.FromSeconds(seconds)));

        Assert.Equal(RateLimitHeaders.MaxWait, RetryPolicy.DelayFromHeaders(response, new FakeTimeProvider(Now)));
    }

    [Theory]
    [InlineData("86400", 60)]
    [InlineData("7", 7)]
    [InlineData("999999999999", null)]
    public void DelayFromHeaders_RetryAfter_CappedAtAMinute(string retryAfter, int? expectedSeconds)
    {
        using var response = Response429(retryAfter: retryAfter);

        var expected = expectedSeconds is { } s ? TimeSpan.FromSeconds(s) : (TimeSpan?)null;
        Assert.Equal(expected, RetryPolicy.DelayFromHeaders(response, new FakeTimeProvider(Now)));
    }

    [Fact]
    public void Read_RemainingAboveLimitOrHuge_Bounded()
    {
        using var response = Response429(limit: "50", remaining: "4000000000");
        using var inverted = Response429(limit: "50", remaining: "70");

        Assert.Null(RateLimitHeaders.Read(response, Now).Remaining);
        Assert.Equal(50, RateLimitHeaders.Read(inverted, Now).Remaining);
    }

    [Fact]
    public async Task RateGate_ResetADayAway_HoldsTheNextRequestAtMostAMinute()
    {
        var time = new FakeTimeProvider(Now);
        var gate = new OneGroupGate(new RateGate(time, null, new ThrottleMonitor(time)));
        await gate.AcquireAsync(CancellationToken.None);
        using var empty = new HttpResponseMessage(HttpStatusCode.OK);
        empty.Headers.TryAddWithoutValidation("x-ratelimit-limit", "7");
        empty.Headers.TryAddWithoutValidation("x-ratelimit-remaining", "0");
        empty.Headers.TryAddWithoutValidation("x-ratelimit-reset", Epoch(TimeSpan.FromDays(1)));
        gate.Completed(empty);

        var next = gate.AcquireAsync(CancellationToken.None).AsTask();
        // Fake seconds pass a second at a time, each given real time for the gate's timer to fire.
        var advanced = TimeSpan.Zero;
        while (!next.IsCompleted && advanced < TimeSpan.FromMinutes(30))
        {
            time.Advance(TimeSpan.FromSeconds(1));
            advanced += TimeSpan.FromSeconds(1);
            await Task.WhenAny(next, Task.Delay(20));
        }

        Assert.True(next.IsCompleted);
        // At most a minute to the capped reset, plus a few fake seconds passed before the timer fired.
        Assert.InRange(advanced, TimeSpan.Zero, TimeSpan.FromSeconds(75));
    }

    [Theory]
    [InlineData("99999999999999")]
    [InlineData("-5")]
    public async Task Read_EveryAnswerWithAnAbsurdReset_StillCompletes(string reset)
    {
        using var tenant = WireMockServer.Start();
        tenant.Given(Request.Create().WithPath("/api/v2/clients")).RespondWith(Response.Create().WithStatusCode(200)
            .WithHeader("Content-Type", "application/json").WithHeader("x-ratelimit-limit", "50").WithHeader("x-ratelimit-remaining", "49")
            .WithHeader("x-ratelimit-reset", reset).WithBody("""{"clients":[{"client_id":"a"}],"total":1,"start":0,"limit":100}"""));
        var config = _files.AccessTokenConfig(tenant.Url!, "tok-ratelimit-123456");

        var run = await ConnectorRun.InvokeAsync(["read", "--config", config, "--streams", "clients"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Single(run.Records("clients"));
    }

    public void Dispose() => _files.Dispose();
}
