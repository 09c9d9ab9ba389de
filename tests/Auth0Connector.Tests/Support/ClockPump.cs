using Microsoft.Extensions.Time.Testing;

namespace Auth0Connector.Tests.Support;

/// <summary>
/// Moves a FakeTimeProvider forward in small steps while a run is in flight, so retry waits of
/// seconds pass in milliseconds of real time. <see cref="Advanced"/> tells how much fake time passed. With
/// <c>only</c>, time moves only while it holds (say, while a long job runs), so that requests before it
/// are not timed out by a clock racing ahead.
/// </summary>
internal sealed class ClockPump : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _advancedTicks;

    public ClockPump(FakeTimeProvider time, TimeSpan step, Func<bool>? only = null)
    {
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                if (only is null || only())
                {
                    time.Advance(step);
                    Interlocked.Add(ref _advancedTicks, step.Ticks);
                }

                try
                {
                    await Task.Delay(2, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
    }

    public TimeSpan Advanced => TimeSpan.FromTicks(Interlocked.Read(ref _advancedTicks));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
