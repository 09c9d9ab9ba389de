using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Auth0Connector.Protocol;

/// <summary>
/// Where protocol messages go, one line each. A message is composed whole into a reusable buffer
/// and reaches the output in one write, so a failure while composing discards it instead of leaving
/// half a line, and writers on several threads never interleave. When the output fails (stdout's
/// reader went away) the run is cancelled and every later message throws
/// <see cref="OutputClosedException"/>.
/// </summary>
internal sealed class MessageOutput : IDisposable
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Records are passed through as Auth0 sent them; relaxed escaping keeps non-ASCII names readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
    };

    /// <summary>A buffer grown past this by one huge message is dropped after it, not kept for the run.</summary>
    private const int RetainedBufferBytes = 1 << 20;

    /// <summary>The longest a written record waits in the stdout buffer.</summary>
    private const long FlushIntervalMs = 200;

    private readonly Stream _output;
    private readonly CancellationTokenSource? _run;
    private readonly Lock _gate = new();
    private ArrayBufferWriter<byte> _buffer = new(1 << 16);
    private Exception? _closedBy;
    private long _flushedAt = Environment.TickCount64;

    /// <param name="run">Cancelled when the output fails.</param>
    public MessageOutput(Stream output, CancellationTokenSource? run)
    {
        _output = output;
        _run = run;
        Json = new Utf8JsonWriter(_buffer, WriterOptions);
    }

    /// <summary>The writer a message is composed with; only valid inside <see cref="Write{TState}"/>.</summary>
    public Utf8JsonWriter Json { get; }

    /// <summary>True once a write to the output failed: stdout is gone.</summary>
    public bool Closed => Volatile.Read(ref _closedBy) is not null;

    /// <summary>
    /// Composes one message with <paramref name="compose"/>, then writes it and its newline in one call.
    /// A failure while composing discards the message; a failure of the output closes this output.
    /// </summary>
    public void Write<TState>(TState state, bool flush, Action<TState> compose)
    {
        lock (_gate)
        {
            ThrowIfClosed();
            try
            {
                compose(state);
                Json.Flush();
                _buffer.Write("\n"u8);
            }
            catch
            {
                Discard();
                throw;
            }

            try
            {
                _output.Write(_buffer.WrittenSpan);
                // Records are flushed at least every FlushInterval too: a reader sees them promptly,
                // and a reader that went away is noticed (EPIPE) within that time, not 64 KiB later.
                var now = Environment.TickCount64;
                if (flush || now - _flushedAt >= FlushIntervalMs)
                {
                    _output.Flush();
                    _flushedAt = now;
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                throw Close(e);
            }
            finally
            {
                Discard();
            }
        }
    }

    /// <summary>Sends what the output buffers on to its destination.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            ThrowIfClosed();
            try
            {
                _output.Flush();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                throw Close(e);
            }
        }
    }

    private void Discard()
    {
        if (_buffer.Capacity > RetainedBufferBytes)
        {
            _buffer = new ArrayBufferWriter<byte>(1 << 16);
        }
        else
        {
            _buffer.ResetWrittenCount();
        }

        Json.Reset(_buffer);
    }

    private void ThrowIfClosed()
    {
        if (_closedBy is { } cause)
        {
            throw new OutputClosedException(cause);
        }
    }

    /// <summary>Marks the output gone and cancels the run; returns the exception for the writer's caller.</summary>
    private OutputClosedException Close(Exception cause)
    {
        Volatile.Write(ref _closedBy, cause);
        // Marked cancelled at once; the token's callbacks run elsewhere, never inside this lock.
        _ = _run?.CancelAsync();
        return new OutputClosedException(cause);
    }

    /// <summary>Flushes what is left, unless stdout is already gone (then there is nowhere to write).</summary>
    public void Dispose()
    {
        if (!Closed)
        {
            try
            {
                Flush();
            }
            catch (OutputClosedException)
            {
                // The reader left at the very end; the run's outcome already reflects it.
            }
        }

        Json.Dispose();
    }
}
