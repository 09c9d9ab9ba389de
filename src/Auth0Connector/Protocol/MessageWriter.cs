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
/// Writes one JSON protocol message per stdout line. Writes are serialized by a lock, so stream
/// readers running in parallel can share one writer; records are copied straight from the
/// page's JSON without materializing objects.
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

    private static readonly byte[] NewLine = "\n"u8.ToArray();
    private readonly Stream _output;
    private readonly Utf8JsonWriter _json;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();

    private readonly Redactor _redactor;

    public MessageWriter(Stream output, TimeProvider time, Redactor redactor)
    {
        _output = output;
        _time = time;
        _redactor = redactor;
        _json = new Utf8JsonWriter(output, WriterOptions);
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public void Record(string stream, JsonElement data, ReadOnlySpan<RecordField> added = default)
    {
        lock (_gate)
        {
            _json.WriteStartObject();
            _json.WriteString("type"u8, "RECORD"u8);
            _json.WritePropertyName("record"u8);
            _json.WriteStartObject();
            _json.WriteString("stream"u8, stream);
            _json.WritePropertyName("data"u8);
            if (added.IsEmpty)
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
            EndLine(flush: false);
        }
    }

    private static bool IsAdded(string name, ReadOnlySpan<RecordField> added)
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
        lock (_gate)
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
            EndLine(flush: true);
        }
    }

    public void Log(LogLevel level, string message)
    {
        lock (_gate)
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
            EndLine(flush: true);
        }
    }

    public void Error(FailureType failureType, string message, string? internalMessage = null, string? stream = null, string? stackTrace = null)
    {
        lock (_gate)
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
        }
    }

    public void Status(string stream, StreamStatus status, DateTimeOffset? rateLimitedUntil = null)
    {
        lock (_gate)
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
        }
    }

    public void Estimate(string stream, long rows)
    {
        lock (_gate)
        {
            StartTrace("ESTIMATE"u8);
            _json.WritePropertyName("estimate"u8);
            _json.WriteStartObject();
            _json.WriteString("name"u8, stream);
            _json.WriteString("type"u8, "STREAM"u8);
            _json.WriteNumber("row_estimate"u8, rows);
            _json.WriteEndObject();
            EndTrace();
        }
    }

    public void ConnectionStatus(bool succeeded, string? message)
    {
        lock (_gate)
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
            EndLine(flush: true);
        }
    }

    /// <summary>Writes a message whose payload is raw JSON we own (SPEC, CATALOG).</summary>
    public void Raw(string type, string payloadField, Action<Utf8JsonWriter> writePayload)
    {
        lock (_gate)
        {
            _json.WriteStartObject();
            _json.WriteString("type"u8, type);
            _json.WritePropertyName(payloadField);
            writePayload(_json);
            _json.WriteEndObject();
            EndLine(flush: true);
        }
    }

    public void Flush()
    {
        lock (_gate)
        {
            _json.Flush();
            _output.Flush();
        }
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
        EndLine(flush: true);
    }

    private void WriteDescriptor(string stream)
    {
        _json.WritePropertyName("stream_descriptor"u8);
        _json.WriteStartObject();
        _json.WriteString("name"u8, stream);
        _json.WriteEndObject();
    }

    private void EndLine(bool flush)
    {
        _json.Flush();
        _json.Reset();
        _output.Write(NewLine);
        if (flush)
        {
            _output.Flush();
        }
    }

    public void Dispose()
    {
        Flush();
        _json.Dispose();
    }
}
