using Auth0Connector.Http;
using Microsoft.Extensions.Time.Testing;

namespace Auth0Connector.Tests.Http;

public class ThrottleMonitorTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void TotalWait_ConcurrentWaitsThroughTheSameSeconds_CountOnce()
    {
        var monitor = new ThrottleMonitor(_time);

        // Four ranges are told to wait 2 s for the same reset, then the gate holds two of them 1 s more.
        for (var i = 0; i < 4; i++)
        {
            monitor.WillWait(TimeSpan.FromSeconds(2), null);
        }

        _time.Advance(TimeSpan.FromSeconds(3));
        monitor.Waited(TimeSpan.FromSeconds(1), null);
        monitor.Waited(TimeSpan.FromSeconds(1), null);

        Assert.Equal(TimeSpan.FromSeconds(3), monitor.TotalWait);
    }

    [Fact]
    public void TotalWait_WaitsAtDifferentTimes_AddUp()
    {
        var monitor = new ThrottleMonitor(_time);

        monitor.WillWait(TimeSpan.FromSeconds(2), null);
        _time.Advance(TimeSpan.FromSeconds(10));
        monitor.Waited(TimeSpan.FromSeconds(1.5), null);

        Assert.Equal(TimeSpan.FromSeconds(3.5), monitor.TotalWait);
    }
}
