using System.Runtime.CompilerServices;
using System.Text.Json;
using Auth0Connector.Http;
using Auth0Connector.Protocol;
using Auth0Connector.Streams;

namespace Auth0Connector.Cli;

/// <summary>
/// One stream's messages during a read: STARTED, RUNNING with its first record, its records and
/// STATEs (each counting the records since the previous one), then COMPLETE or INCOMPLETE. Streams
/// read together (members and member roles from one walk) each have their own.
/// </summary>
internal sealed class StreamRun(IAuth0Stream stream, MessageWriter messages, SyncProgress? progress, TimeProvider time, RequestScope? scope)
{
    private readonly SyncProgress.StreamProgress? _progress = progress?.Start(stream.Name, scope);
    private readonly long _started = time.GetTimestamp();
    private long _sinceState;
    private long _total;
    private long _deletions;
    private string? _lastState;
    private bool _running;
    private Reconciliation? _reconciliation;

    public IAuth0Stream Stream => stream;

    /// <summary>Reads <paramref name="streams"/> from one source of items (index into <paramref name="streams"/>); the failure, if any, is every stream's.</summary>
    public static async Task<Failure?> ReadAsync(IReadOnlyList<IAuth0Stream> streams, IAsyncEnumerable<(int Stream, StreamItem Item)> items, MessageWriter messages, SyncProgress? progress, TimeProvider time, RequestScope? scope, CancellationToken cancellationToken)
    {
        var runs = streams.Select(s => new StreamRun(s, messages, progress, time, scope)).ToList();
        foreach (var run in runs)
        {
            messages.Status(run.Stream.Name, StreamStatus.Started);
        }

        // Waits for the rate limit are told as the streams' RUNNING/RATE_LIMITED, only once they have STARTED.
        var names = string.Join(" and ", streams.Select(s => s.Name));
        scope?.ReportTo((waited, until) =>
        {
            runs.ForEach(r => messages.Status(r.Stream.Name, StreamStatus.Running, until));
            messages.Log(LogLevel.Info, $"{names}: waiting for the tenant's rate limit ({waited.TotalSeconds:F1} s spent waiting since the last notice; quota resets at {until:HH:mm:ss} UTC).");
        });

        try
        {
            await foreach (var (index, item) in items.WithCancellation(cancellationToken))
            {
                runs[index].Take(item);
            }

            runs.ForEach(r => r.Complete());
            return null;
        }
        catch (Exception e) when (e is not OutputClosedException && (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            Failure? failure = null;
            foreach (var run in runs)
            {
                failure = run.Fail(e);
            }

            return failure;
        }
    }

    /// <summary>One stream's items as the single source of <see cref="ReadAsync"/>.</summary>
    public static async IAsyncEnumerable<(int, StreamItem)> Only(IAuth0Stream stream, StreamContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in stream.ReadAsync(context, cancellationToken))
        {
            yield return (0, item);
        }
    }

#pragma warning disable CS1998 // An iterator that only throws: the failure surfaces where items are read.
    /// <summary>A source of items that fails at once with <paramref name="error"/> (a stream that cannot be read says why).</summary>
    public static async IAsyncEnumerable<(int, StreamItem)> Failing(Exception error)
    {
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        yield break;
    }
#pragma warning restore CS1998

    /// <summary>A stream skipped after the sync was stopped: STARTED? no; INCOMPLETE, and its summary row.</summary>
    public static void Skip(IAuth0Stream stream, MessageWriter messages, SyncProgress? progress)
    {
        messages.Status(stream.Name, StreamStatus.Incomplete);
        if (progress?.Start(stream.Name, null) is { } skipped)
        {
            progress.End(skipped, "INCOMPLETE");
        }
    }

    private void Take(StreamItem item)
    {
        if (item.Reconciliation is { } reconciliation)
        {
            _reconciliation = reconciliation;
            return;
        }

        if (item.IsCheckpoint)
        {
            // A checkpoint equal to the last one says nothing new; its records count toward the next.
            if (item.StateJson != _lastState)
            {
                messages.State(stream.Name, w => w.WriteRawValue(item.StateJson!), _sinceState);
                _lastState = item.StateJson;
                _sinceState = 0;
            }

            return;
        }

        if (item.Page is { } page)
        {
            if (item.AreDeletions)
            {
                _deletions += page.Count;
                _progress?.Deleted(page.Count);
            }

            using (page)
            {
                foreach (var record in page.Items.EnumerateArray())
                {
                    Emit(record, page.Added);
                }
            }

            return;
        }

        Emit(item.Record, item.Added);
    }

    // The stream is RUNNING from its first record on.
    private void Emit(JsonElement record, RecordField[]? added)
    {
        if (!_running)
        {
            messages.Status(stream.Name, StreamStatus.Running);
            _running = true;
        }

        messages.Record(stream.Name, record, added);
        _sinceState++;
        _total++;
        _progress?.Record();
    }

    /// <summary>Every stream ends with a STATE carrying its last records' count, and has been RUNNING (even an empty one: Airbyte expects STARTED, RUNNING, COMPLETE).</summary>
    private void Complete()
    {
        if (_lastState is null || _sinceState > 0)
        {
            var final = _lastState ?? ReadCommand.NoCursorState;
            messages.State(stream.Name, w => w.WriteRawValue(final), _sinceState);
        }

        if (!_running)
        {
            messages.Status(stream.Name, StreamStatus.Running);
        }

        var deletions = _deletions > 0 ? $" ({_deletions} of them deletion{(_deletions == 1 ? string.Empty : "s")})" : string.Empty;
        var reported = _reconciliation is { } r ? $" (the tenant reported {r.Reported} for {(r.Listings == 1 ? "its listing" : $"its {r.Listings} listings")})" : string.Empty;
        messages.Log(LogLevel.Info, $"{stream.Name}: {_total} record{(_total == 1 ? string.Empty : "s")}{deletions} in {time.GetElapsedTime(_started).TotalSeconds:F1} s{reported}");
        if (_reconciliation is { Missing: > 0 } shortfall)
        {
            messages.Log(LogLevel.Warn, $"{stream.Name}: delivered {shortfall.Delivered} records where the tenant reported {shortfall.Reported}: {shortfall.Missing} missing beyond what changed during the sync (a listing ended before its total). Records may be missing; sync again, and report it if it persists.");
        }

        messages.Status(stream.Name, StreamStatus.Complete);
        End("COMPLETE");
    }

    private Failure Fail(Exception error)
    {
        var failure = FailureMapper.Map(error, stream);
        messages.Log(LogLevel.Error, $"{stream.Name}: failed after {_total} records: {failure.Message}");
        messages.Error(failure.Type, failure.Message, failure.Detail, stream.Name);
        messages.Status(stream.Name, StreamStatus.Incomplete);
        End("INCOMPLETE");
        return failure;
    }

    private void End(string status)
    {
        if (_progress is not null)
        {
            _progress.Reconciliation = _reconciliation;
            progress!.End(_progress, status);
        }
    }
}
