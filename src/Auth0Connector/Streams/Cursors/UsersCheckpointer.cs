namespace Auth0Connector.Streams.Cursors;

/// <summary>
/// The users cursor's checkpointer: follows how far each range's walk has got and says when the
/// state moves. Everything before the earliest unfinished range's position is delivered; the ranges
/// from there on are saved with their own positions (<see cref="UsersState"/>), so a restart re-reads
/// at most the page each of them had in flight. The cursor never goes back, and never past the
/// sync's start: the walkers' positions stay below their range's end, which is at most the start.
/// </summary>
internal sealed class UsersCheckpointer
{
    private readonly List<UsersRange> _ranges;
    private readonly bool[] _completed;
    private readonly string?[] _reached;
    private string? _lastCursor;
    private string? _lastState;
    private string? _newest;
    private readonly DeletionsPosition? _deletions;

    /// <param name="ranges">The sync's plan.</param>
    /// <param name="stateCursor">The cursor of the state the sync started from, if any.</param>
    /// <param name="deletions">Where the log stands for deletions (kept in every checkpoint), if known.</param>
    public UsersCheckpointer(List<UsersRange> ranges, DateTimeOffset? stateCursor, DeletionsPosition? deletions = null)
    {
        _deletions = deletions;
        _ranges = ranges;
        _completed = new bool[ranges.Count];
        _reached = new string?[ranges.Count];
        _lastCursor = stateCursor is { } c ? UsersCursor.Format(c) : null;
    }

    /// <summary>Takes in a batch's position; true when it completes its range.</summary>
    public bool Record(UsersBatch batch)
    {
        var index = batch.Range.Index;
        _reached[index] = batch.Reached ?? _reached[index];
        if (batch.Reached is { } r && (_newest is null || string.CompareOrdinal(r, _newest) > 0))
        {
            _newest = r;
        }

        if (batch.RangeComplete)
        {
            _completed[index] = true;
        }

        return batch.RangeComplete;
    }

    /// <summary>The state to checkpoint now, or null when it has not moved since the last one.</summary>
    public string? Checkpoint()
    {
        var first = Array.IndexOf(_completed, false);
        if (first < 0)
        {
            return null;
        }

        var cursorNow = _reached[first] ?? (_ranges[first].Lower is { } lower ? UsersCursor.Format(lower) : null);
        if (cursorNow is null || (_lastCursor is not null && string.CompareOrdinal(cursorNow, _lastCursor) < 0))
        {
            return null;
        }

        var json = UsersState.Json(cursorNow, _ranges, _completed, _reached, first, _deletions);
        if (json == _lastState)
        {
            return null;
        }

        _lastCursor = cursorNow;
        _lastState = json;
        return json;
    }

    /// <summary>The state at the end of a complete read: the newest position reached (no ranges), and the deletions position.</summary>
    public string Final()
    {
        var final = _newest is not null && (_lastCursor is null || string.CompareOrdinal(_newest, _lastCursor) > 0) ? _newest : _lastCursor;
        return UsersState.Json(final, _deletions);
    }
}
