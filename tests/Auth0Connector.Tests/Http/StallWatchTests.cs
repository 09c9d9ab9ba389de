using Auth0Connector.Http;
using Microsoft.Extensions.Time.Testing;

namespace Auth0Connector.Tests.Http;

/// <summary>The stall watch both body readers use (API responses, users export downloads).</summary>
public class StallWatchTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Arm_SilencePasses_TokenCancelledAndStalled()
    {
        using var watch = new StallWatch(_time, TimeSpan.FromSeconds(10), CancellationToken.None);

        var token = watch.Arm();
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(token.IsCancellationRequested);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.True(token.IsCancellationRequested);
        Assert.True(watch.Stalled);
    }

    [Fact]
    public void Arm_EachReadRestartsTheSilence_NotStalled()
    {
        using var watch = new StallWatch(_time, TimeSpan.FromSeconds(10), CancellationToken.None);

        for (int read = 0; read < 5; read++)
        {
            watch.Arm();
            _time.Advance(TimeSpan.FromSeconds(8));
        }

        Assert.False(watch.Arm().IsCancellationRequested);
        Assert.False(watch.Stalled);
    }

    [Fact]
    public void Disarm_TimeBetweenReads_NotCounted()
    {
        using var watch = new StallWatch(_time, TimeSpan.FromSeconds(10), CancellationToken.None);

        var token = watch.Arm();
        watch.Disarm();
        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.False(token.IsCancellationRequested);
        Assert.False(watch.Stalled);
    }

    [Fact]
    public void Arm_CallerCancels_TokenCancelledButNotStalled()
    {
        using var caller = new CancellationTokenSource();
        using var watch = new StallWatch(_time, TimeSpan.FromSeconds(10), caller.Token);

        var token = watch.Arm();
        caller.Cancel();

        Assert.True(token.IsCancellationRequested);
        Assert.False(watch.Stalled);
    }
}
