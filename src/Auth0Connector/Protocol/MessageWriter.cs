using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Auth0Connector.Protocol;

/// <summary>Airbyte message types this connector emits.</summary>
internal enum FailureType
{
    SystemError,
    ConfigError,
    TransientError,
}

internal enum StreamStatus
{
    Started,
    Running,
    Complete,
    Incomplete,
}

internal enum LogLevel
{
    Debug,
    Info,
    Warn,
    Error,
}

/// <summary>A property our connector adds to a record (for example the parent organization's id).</summary>
internal readonly record struct RecordField(string Name, string Value);

/// <summary>
/// Writes one JSON protocol message per stdout line. Each message is composed whole in a buffer
/// before a byte of it reaches the output, so a failure while composing (a row that is not an
/// object, say) discards it instead of leaving half a line; writes are serialized by a lock, so
/// stream readers running in parallel share one writer. Records are copied straight from the
/// page's JSON without materializing objects. When the output fails (its reader went away) the
/// whole run is cancelled and every later message throws <see cref="OutputClosedException"/>.
/// </summary>
internal sealed class MessageWriter : IDisposable
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

    private readonly Stream _output;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Redactor _redactor;
    private readonly CancellationTokenSource? _run;
    private ArrayBufferWriter<byte> _buffer = new(1 << 16);
    private readonly Utf8JsonWriter _json;
    private Exception? _closedBy;

    /// <param name="run">Cancelled when the output fails, so the commands stop at once.</param>
    public MessageWriter(Stream output, TimeProvider time, Redactor redactor, CancellationTokenSource? run = null)
    {
        _output = output;
        _time = time;
        _redactor = redactor;
        _run = run;
        _json = new Utf8JsonWriter(_buffer, WriterOptions);
    }

    /// <summary>True once a write to the output failed: stdout is gone.</summary>
    public bool OutputClosed => Volatile.Read(ref _closedBy) is not null;

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public void Record(string stream, JsonElement data, RecordField[]? added = null) =>
        Write((stream, data, added), flush: false, static (self, m) => self.ComposeRecord(m.stream, m.data, m.added));

    private void ComposeRecord(string stream, JsonElement data, RecordField[]? added)
    {
        if (data.ValueKind != JsonValueKind.Object)
        {
            // The streams refuse such rows where pages are made; this keeps any other path honest.
            throw new InvalidDataException($"{stream}: a row that is not a JSON object ({data.ValueKind}) cannot be a record.");
        }

        _json.WriteStartObject();
        _json.WriteString("type"u8, "RECORD"u8);
        _json.WritePropertyName("record"u8);
        _json.WriteStartObject();
        _json.WriteString("stream"u8, stream);
        _json.WritePropertyName("data"u8);
        if (added is null || added.Length == 0)
        {
            // Verbatim: the record's own bytes, exactly as Auth0 sent them (already valid JSON).
            _json.WriteRawValue(JsonMarshal.GetRawUtf8Value(data), skipInputValidation: true);
        }
        else
        {
            _json.WriteStartObject();
            foreach (var field in added)
            {
                _json.WriteString(field.Name, field.Value);
            }

            foreach (var property in data.EnumerateObject())
            {
                if (!IsAdded(property.Name, added))
                {
                    _json.WritePropertyName(property.Name);
                    _json.WriteRawValue(JsonMarshal.GetRawUtf8Value(property.Value), skipInputValidation: true);
                }
            }

            _json.WriteEndObject();
        }

        _json.WriteNumber("emitted_at"u8, NowMs);
        _json.WriteEndObject();
        _json.WriteEndObject();
    }

    private static bool IsAdded(string name, RecordField[] added)
    {
        foreach (var field in added)
        {
            if (field.Name == name)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A per-stream STATE message; <paramref name="writeState"/> writes the stream_state object.</summary>
    public void State(string stream, Action<Utf8JsonWriter> writeState, long recordCount)
    {
        Write(flush: true, () =>
        {
            _json.WriteStartObject();
            _json.WriteString("type"u8, "STATE"u8);
            _json.WritePropertyName("state"u8);
            _json.WriteStartObject();
            _json.WriteString("type"u8, "STREAM"u8);
            _json.WritePropertyName("stream"u8);
            _json.WriteStartObject();
            WriteDescriptor(stream);
            _json.WritePropertyName("stream_state"u8);
            writeState(_json);
            _json.WriteEndObject();
            _json.WritePropertyName("sourceStats"u8);
            _json.WriteStartObject();
            // A double with a decimal point, as the protocol asks.
            _json.WriteNumber("recordCount"u8, (double)recordCount);
            _json.WriteEndObject();
            _json.WriteEndObject();
            _json.WriteEndObject();
        });
    }

    public void Log(LogLevel level, string message)
    {
        Write(flush: true, () =>
        {
            _json.WriteStartObject();
            _json.WriteString("type"u8, "LOG"u8);
            _json.WritePropertyName("log"u8);
            _json.WriteStartObject();
            _json.WriteString("level"u8, level switch
            {
                LogLevel.Debug => "DEBUG",
                LogLevel.Info => "INFO",
                LogLevel.Warn => "WARN",
                _ => "ERROR",
            });
            _json.WriteString("message"u8, _redactor.Redact(message));
            _json.WriteEndObject();
            _json.WriteEndObject();
        });
    }

    public void Error(FailureType failureType, string message, string? internalMessage = null, string? stream = null, string? stackTrace = null)
    {
        Write(flush: true, () =>
        {
            StartTrace("ERROR"u8);
            _json.WritePropertyName("error"u8);
            _json.WriteStartObject();
            _json.WriteString("message"u8, _redactor.Redact(message));
            if (internalMessage is not null)
            {
                _json.WriteString("internal_message"u8, _redactor.Redact(internalMessage));
            }

            if (stackTrace is not null)
            {
                _json.WriteString("stack_trace"u8, _redactor.Redact(stackTrace));
            }

            _json.WriteString("failure_type"u8, failureType switch
            {
                FailureType.ConfigError => "config_error",
                FailureType.TransientError => "transient_error",
                _ => "system_error",
            });
            if (stream is not null)
            {
                WriteDescriptor(stream);
            }

            _json.WriteEndObject();
            EndTrace();
        });
    }

    public void Status(string stream, StreamStatus status, DateTimeOffset? rateLimitedUntil = null)
    {
        Write(flush: true, () =>
        {
            StartTrace("STREAM_STATUS"u8);
            _json.WritePropertyName("stream_status"u8);
            _json.WriteStartObject();
            WriteDescriptor(stream);
            _json.WriteString("status"u8, status switch
            {
                StreamStatus.Started => "STARTED",
                StreamStatus.Running => "RUNNING",
                StreamStatus.Complete => "COMPLETE",
                _ => "INCOMPLETE",
            });
            if (rateLimitedUntil is { } until)
            {
                _json.WritePropertyName("reasons"u8);
                _json.WriteStartArray();
                _json.WriteStartObject();
                _json.WriteString("type"u8, "RATE_LIMITED"u8);
                _json.WritePropertyName("rate_limited"u8);
                _json.WriteStartObject();
                _json.WriteNumber("quota_reset"u8, until.ToUnixTimeMilliseconds());
                _json.WriteEndObject();
                _json.WriteEndObject();
                _json.WriteEndArray();
            }

            _json.WriteEndObject();
            EndTrace();
        });
    }

    public void Estimate(string stream, long rows)
    {
        Write(flush: true, () =>
        {
            StartTrace("ESTIMATE"u8);
            _json.WritePropertyName("estimate"u8);
            _json.WriteStartObject();
            _json.WriteString("name"u8, stream);
            _json.WriteString("type"u8, "STREAM"u8);
            _json.WriteNumber("row_estimate"u8, rows);
            _json.WriteEndObject();
            EndTrace();
        });
    }

    public void ConnectionStatus(bool succeeded, string? message)
    {
        Write(flush: true, () =>
        {
            _json.WriteStartObject();
            _json.WriteString("type"u8, "CONNECTION_STATUS"u8);
            _json.WritePropertyName("connectionStatus"u8);
            _json.WriteStartObject();
            _json.WriteString("status"u8, succeeded ? "SUCCEEDED"u8 : "FAILED"u8);
            if (message is not null)
            {
                _json.WriteString("message"u8, _redactor.Redact(message));
            }

            _json.WriteEndObject();
            _json.WriteEndObject();
        });
    }

    /// <summary>Writes a message whose payload is raw JSON we own (SPEC, CATALOG).</summary>
    public void Raw(string type, string payloadField, Action<Utf8JsonWriter> writePayload)
    {
        Write(flush: true, () =>
        {
            _json.WriteStartObject();
            _json.WriteString("type"u8, type);
            _json.WritePropertyName(payloadField);
            writePayload(_json);
            _json.WriteEndObject();
        });
    }

    /// <summary>Sends what is buffered on to the output.</summary>
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

    private void Write(bool flush, Action compose) =>
        Write(compose, flush, static (_, compose) => compose());

    /// <summary>
    /// Composes one message whole into the buffer, then writes it with its newline in one call.
    /// A failure while composing discards the message; a failure of the output closes the writer.
    /// </summary>
    private void Write<TState>(TState state, bool flush, Action<MessageWriter, TState> compose)
    {
        lock (_gate)
        {
            ThrowIfClosed();
            try
            {
                compose(this, state);
                _json.Flush();
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
                if (flush)
                {
                    _output.Flush();
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

        _json.Reset(_buffer);
    }

    private void ThrowIfClosed()
    {
        if (_closedBy is { } cause)
        {
            throw new OutputClosedException(cause);
        }
    }

    /// <summary>Marks the output gone and cancels the run; the exception to throw to the writer's caller.</summary>
    private OutputClosedException Close(Exception cause)
    {
        Volatile.Write(ref _closedBy, cause);
        // Marked cancelled at once; the token's callbacks run elsewhere, never inside this lock.
        _ = _run?.CancelAsync();
        return new OutputClosedException(cause);
    }

    private void StartTrace(ReadOnlySpan<byte> traceType)
    {
        _json.WriteStartObject();
        _json.WriteString("type"u8, "TRACE"u8);
        _json.WritePropertyName("trace"u8);
        _json.WriteStartObject();
        _json.WriteString("type"u8, traceType);
        _json.WriteNumber("emitted_at"u8, NowMs);
    }

    private void EndTrace()
    {
        _json.WriteEndObject();
        _json.WriteEndObject();
    }

    private void WriteDescriptor(string stream)
    {
        _json.WritePropertyName("stream_descriptor"u8);
        _json.WriteStartObject();
        _json.WriteString("name"u8, stream);
        _json.WriteEndObject();
    }

    /// <summary>Flushes what is left, unless stdout is already gone (then there is nowhere to write).</summary>
    public void Dispose()
    {
        if (!OutputClosed)
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

        _json.Dispose();
    }
}
