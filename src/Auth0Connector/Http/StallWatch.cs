namespace Auth0Connector.Http;

/// <summary>
/// Abandons a read of a body that gets no data for a given silence: each read is given <see cref="Arm"/>'s token
/// (the caller's, and cancelled once the silence has passed since it was armed), and a cancelled read that was this
/// watch's doing is <see cref="Stalled"/>. <see cref="Disarm"/> after a read keeps the reader's own work between
/// reads off the clock.
/// </summary>
internal sealed class StallWatch : IDisposable
{
    private readonly CancellationTokenSource _silence;
    private readonly CancellationTokenSource _reading;
    private readonly CancellationToken _caller;
    private readonly TimeSpan _limit;

    public StallWatch(TimeProvider time, TimeSpan silence, CancellationToken caller)
    {
        _limit = silence;
        _caller = caller;
        _silence = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _reading = CancellationTokenSource.CreateLinkedTokenSource(caller, _silence.Token);
    }

    /// <summary>Whether a cancelled read was abandoned for its silence, not cancelled by the caller.</summary>
    public bool Stalled => _silence.IsCancellationRequested && !_caller.IsCancellationRequested;

    /// <summary>Starts the silence clock of one read; the token to read with.</summary>
    public CancellationToken Arm()
    {
        _silence.CancelAfter(_limit);
        return _reading.Token;
    }

    /// <summary>Stops the clock until the next <see cref="Arm"/>.</summary>
    public void Disarm() => _silence.CancelAfter(Timeout.InfiniteTimeSpan);

    public void Dispose()
    {
        _reading.Dispose();
        _silence.Dispose();
    }
}
