using System.Globalization;
using Auth0Connector.Http;
using Microsoft.Extensions.Time.Testing;

namespace Auth0Connector.Tests.Http;

public class RateGateTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private HttpResponseMessage Response(int remaining, TimeSpan resetIn)
    {
        var response = new HttpResponseMessage(System.Net.HttpStatusCode.OK);
        response.Headers.Add("x-ratelimit-limit", "7"); // a bucket Auth0 publishes no refill for: measured
        response.Headers.Add("x-ratelimit-remaining", remaining.ToString(CultureInfo.InvariantCulture));
        response.Headers.Add("x-ratelimit-reset", (_time.GetUtcNow() + resetIn).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        return response;
    }

    [Fact]
    public async Task Requests_pass_at_once_while_the_bucket_has_room()
    {
        var gate = new OneGroupGate(new RateGate(_time, null, new ThrottleMonitor(_time)));

        for (var i = 0; i < 5; i++)
        {
            var turn = gate.AcquireAsync(CancellationToken.None);
            Assert.True(turn.IsCompleted);
            await turn;
            gate.Completed(Response(remaining: 9 - i, TimeSpan.FromSeconds(1)));
        }
    }

    [Fact]
    public async Task The_last_request_of_the_bucket_is_kept_in_hand_until_it_refills()
    {
        var gate = new OneGroupGate(new RateGate(_time, null, new ThrottleMonitor(_time)));
        await gate.AcquireAsync(CancellationToken.None);
        gate.Completed(Response(remaining: 2, TimeSpan.FromSeconds(1)));

        // Two left by the tenant's count: one may go, the last is kept against an estimate a little high.
        var second = gate.AcquireAsync(CancellationToken.None);
        Assert.True(second.IsCompleted);
        await second;
        gate.Completed(Response(remaining: 1, TimeSpan.FromSeconds(1)));
        var third = gate.AcquireAsync(CancellationToken.None).AsTask();

        Assert.False(third.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1.1));
        await third.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_bucket_that_never_runs_low_never_holds_a_request()
    {
        var monitor = new ThrottleMonitor(_time);
        var gate = new OneGroupGate(new RateGate(_time, null, monitor));

        for (var i = 0; i < 500; i++)
        {
            var turn = gate.AcquireAsync(CancellationToken.None);
            Assert.True(turn.IsCompleted, $"request {i} was held");
            await turn;
            gate.Completed(Response(remaining: 49, TimeSpan.FromSeconds(1)));
            _time.Advance(TimeSpan.FromMilliseconds(5));
        }

        Assert.Equal(TimeSpan.Zero, monitor.TotalWait);
    }

    [Fact]
    public async Task A_probe_cancelled_while_waiting_for_its_slot_does_not_block_the_gate()
    {
        // requests_per_second 0.1: an admitted request may wait 10 s for its slot, and be cancelled there.
        var gate = new OneGroupGate(new RateGate(_time, 0.1, new ThrottleMonitor(_time)));
        await gate.AcquireAsync(CancellationToken.None);
        gate.Completed(Response(remaining: 0, TimeSpan.FromSeconds(2)));
        _time.Advance(TimeSpan.FromSeconds(2.5));

        using var cancel = new CancellationTokenSource();
        var probe = gate.AcquireAsync(cancel.Token).AsTask();
        Assert.False(probe.IsCompleted); // admitted as the probe, waiting for its slot
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => probe);

        var next = gate.AcquireAsync(CancellationToken.None).AsTask();
        for (var i = 0; i < 400 && !next.IsCompleted; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(2);
        }

        Assert.True(next.IsCompleted, "the gate let no request through after a cancelled probe");
    }

    [Fact]
    public async Task A_429_with_Retry_After_is_probed_after_Retry_After_not_at_the_later_reset()
    {
        var gate = new OneGroupGate(new RateGate(_time, null, new ThrottleMonitor(_time)));
        await gate.AcquireAsync(CancellationToken.None);
        var limited = Response(remaining: 0, TimeSpan.FromSeconds(30));
        limited.StatusCode = System.Net.HttpStatusCode.TooManyRequests;
        limited.Headers.Add("Retry-After", "3");
        gate.Completed(limited);

        var next = gate.AcquireAsync(CancellationToken.None).AsTask();
        var waited = TimeSpan.Zero;
        while (!next.IsCompleted && waited < TimeSpan.FromSeconds(40))
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            waited += TimeSpan.FromMilliseconds(100);
            await Task.Delay(2);
        }

        Assert.True(next.IsCompleted);
        Assert.InRange(waited, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task An_empty_bucket_holds_requests_until_the_reset_then_lets_one_probe_through()
    {
        var monitor = new ThrottleMonitor(_time);
        var gate = new OneGroupGate(new RateGate(_time, null, monitor));
        await gate.AcquireAsync(CancellationToken.None);
        gate.Completed(Response(remaining: 0, TimeSpan.FromSeconds(2)));

        var first = gate.AcquireAsync(CancellationToken.None).AsTask();
        var second = gate.AcquireAsync(CancellationToken.None).AsTask();
        _time.Advance(TimeSpan.FromSeconds(1.5));
        await Task.Delay(20);
        Assert.False(first.IsCompleted || second.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(0.6));
        await Task.WhenAny(first, second).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(first.IsCompleted ^ second.IsCompleted, "exactly one probe goes at the reset");

        // The probe's answer says the bucket regained 3: the waiting request goes without waiting for another reset.
        gate.Completed(Response(remaining: 3, TimeSpan.FromSeconds(1)));
        for (var i = 0; i < 90 && !(first.IsCompleted && second.IsCompleted); i++) // under 1 s: before the next reset
        {
            _time.Advance(TimeSpan.FromMilliseconds(10));
            await Task.Delay(10);
        }

        Assert.True(first.IsCompleted && second.IsCompleted);
        Assert.True(monitor.TotalWait >= TimeSpan.FromSeconds(2), $"waited {monitor.TotalWait}");
    }

    [Fact]
    public async Task Requests_per_second_spaces_requests_evenly()
    {
        var gate = new OneGroupGate(new RateGate(_time, requestsPerSecond: 4, new ThrottleMonitor(_time)));
        var turns = Enumerable.Range(0, 4).Select(_ => gate.AcquireAsync(CancellationToken.None).AsTask()).ToList();

        Assert.True(turns[0].IsCompleted);
        Assert.False(turns[1].IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(250));
        await turns[1].WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(turns[2].IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        await Task.WhenAll(turns).WaitAsync(TimeSpan.FromSeconds(5));
    }
}
