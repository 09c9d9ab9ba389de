using System.Runtime.InteropServices;
using System.Text.Json;
using Auth0Connector.Foundation;

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
    Info,
    Warn,
    Error,
}

/// <summary>A property our connector adds to a record (for example the parent organization's id).</summary>
internal readonly record struct RecordField(string Name, string? Value)
{
    /// <summary>A field of the row left out of the record (a field asked for another stream's sake).</summary>
    public static RecordField Omitted(string name) => new(name, null);
}

/// <summary>
/// Writes the protocol's messages, one per stdout line, through a <see cref="MessageOutput"/>:
/// each is composed whole before a byte of it is written (a failure while composing discards it),
/// stream readers running in parallel share one writer, and a failed output cancels the run.
/// Records are copied straight from the page's JSON without materializing objects.
/// </summary>
internal sealed class MessageWriter : IDisposable
{
    private readonly MessageOutput _output;
    private readonly TimeProvider _time;
    private readonly Redactor _redactor;

    /// <param name="run">Cancelled when the output fails, so the commands stop at once.</param>
    public MessageWriter(Stream output, TimeProvider time, Redactor redactor, CancellationTokenSource? run = null)
    {
        _output = new MessageOutput(output, run);
        _time = time;
        _redactor = redactor;
    }

    /// <summary>True once a write to the output failed: stdout is gone.</summary>
    public bool OutputClosed => _output.Closed;

    private Utf8JsonWriter Json => _output.Json;

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public void Record(string stream, JsonElement data, RecordField[]? added = null) =>
        _output.Write((self: this, stream, data, added), flush: false, static m => m.self.ComposeRecord(m.stream, m.data, m.added));

    private void ComposeRecord(string stream, JsonElement data, RecordField[]? added)
    {
        if (data.ValueKind != JsonValueKind.Object)
        {
            // The streams refuse such rows where pages are made; this keeps any other path honest.
            throw new InvalidDataException($"{stream}: a row that is not a JSON object ({data.ValueKind}) cannot be a record.");
        }

        Json.WriteStartObject();
        Json.WriteString("type"u8, "RECORD"u8);
        Json.WritePropertyName("record"u8);
        Json.WriteStartObject();
        Json.WriteString("stream"u8, stream);
        Json.WritePropertyName("data"u8);
        if (added is null || added.Length == 0)
        {
            // Verbatim: the record's own bytes, exactly as Auth0 sent them (already valid JSON).
            WriteVerbatim(data);
        }
        else
        {
            Json.WriteStartObject();
            foreach (var field in added)
            {
                if (field.Value is not null)
                {
                    Json.WriteString(field.Name, field.Value);
                }
            }

            foreach (var property in data.EnumerateObject())
            {
                if (!IsAdded(property.Name, added))
                {
                    Json.WritePropertyName(property.Name);
                    WriteVerbatim(property.Value);
                }
            }

            Json.WriteEndObject();
        }

        Json.WriteNumber("emitted_at"u8, NowMs);
        Json.WriteEndObject();
        Json.WriteEndObject();
    }

    /// <summary>
    /// A server value as it was sent, byte for byte, unless it holds a line break between its
    /// tokens (a pretty-printing server): then it is written compactly, since a message must stay
    /// on one line. Numbers are copied as written either way (<c>1e400</c> stays <c>1e400</c>).
    /// </summary>
    private void WriteVerbatim(JsonElement value)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        if (raw.IndexOfAny((byte)'\n', (byte)'\r') < 0)
        {
            Json.WriteRawValue(raw, skipInputValidation: true);
        }
        else
        {
            value.WriteTo(Json);
        }
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
            Json.WriteStartObject();
            Json.WriteString("type"u8, "STATE"u8);
            Json.WritePropertyName("state"u8);
            Json.WriteStartObject();
            Json.WriteString("type"u8, "STREAM"u8);
            Json.WritePropertyName("stream"u8);
            Json.WriteStartObject();
            WriteDescriptor(stream);
            Json.WritePropertyName("stream_state"u8);
            writeState(Json);
            Json.WriteEndObject();
            Json.WritePropertyName("sourceStats"u8);
            Json.WriteStartObject();
            // A double with a decimal point, as the protocol asks.
            Json.WriteNumber("recordCount"u8, (double)recordCount);
            Json.WriteEndObject();
            Json.WriteEndObject();
            Json.WriteEndObject();
        });
    }

    public void Log(LogLevel level, string message)
    {
        Write(flush: true, () =>
        {
            Json.WriteStartObject();
            Json.WriteString("type"u8, "LOG"u8);
            Json.WritePropertyName("log"u8);
            Json.WriteStartObject();
            Json.WriteString("level"u8, level switch
            {
                LogLevel.Info => "INFO",
                LogLevel.Warn => "WARN",
                _ => "ERROR",
            });
            Json.WriteString("message"u8, _redactor.Redact(message));
            Json.WriteEndObject();
            Json.WriteEndObject();
        });
    }

    public void Error(FailureType failureType, string message, string? internalMessage = null, string? stream = null, string? stackTrace = null)
    {
        Write(flush: true, () =>
        {
            StartTrace("ERROR"u8);
            Json.WritePropertyName("error"u8);
            Json.WriteStartObject();
            Json.WriteString("message"u8, _redactor.Redact(message));
            if (internalMessage is not null)
            {
                Json.WriteString("internal_message"u8, _redactor.Redact(internalMessage));
            }

            if (stackTrace is not null)
            {
                Json.WriteString("stack_trace"u8, _redactor.Redact(stackTrace));
            }

            Json.WriteString("failure_type"u8, failureType switch
            {
                FailureType.ConfigError => "config_error",
                FailureType.TransientError => "transient_error",
                _ => "system_error",
            });
            if (stream is not null)
            {
                WriteDescriptor(stream);
            }

            Json.WriteEndObject();
            EndTrace();
        });
    }

    public void Status(string stream, StreamStatus status, DateTimeOffset? rateLimitedUntil = null)
    {
        Write(flush: true, () =>
        {
            StartTrace("STREAM_STATUS"u8);
            Json.WritePropertyName("stream_status"u8);
            Json.WriteStartObject();
            WriteDescriptor(stream);
            Json.WriteString("status"u8, status switch
            {
                StreamStatus.Started => "STARTED",
                StreamStatus.Running => "RUNNING",
                StreamStatus.Complete => "COMPLETE",
                _ => "INCOMPLETE",
            });
            if (rateLimitedUntil is { } until)
            {
                Json.WritePropertyName("reasons"u8);
                Json.WriteStartArray();
                Json.WriteStartObject();
                Json.WriteString("type"u8, "RATE_LIMITED"u8);
                Json.WritePropertyName("rate_limited"u8);
                Json.WriteStartObject();
                Json.WriteNumber("quota_reset"u8, until.ToUnixTimeMilliseconds());
                Json.WriteEndObject();
                Json.WriteEndObject();
                Json.WriteEndArray();
            }

            Json.WriteEndObject();
            EndTrace();
        });
    }

    public void Estimate(string stream, long rows)
    {
        Write(flush: true, () =>
        {
            StartTrace("ESTIMATE"u8);
            Json.WritePropertyName("estimate"u8);
            Json.WriteStartObject();
            Json.WriteString("name"u8, stream);
            Json.WriteString("type"u8, "STREAM"u8);
            Json.WriteNumber("row_estimate"u8, rows);
            Json.WriteEndObject();
            EndTrace();
        });
    }

    public void ConnectionStatus(bool succeeded, string? message)
    {
        Write(flush: true, () =>
        {
            Json.WriteStartObject();
            Json.WriteString("type"u8, "CONNECTION_STATUS"u8);
            Json.WritePropertyName("connectionStatus"u8);
            Json.WriteStartObject();
            Json.WriteString("status"u8, succeeded ? "SUCCEEDED"u8 : "FAILED"u8);
            if (message is not null)
            {
                Json.WriteString("message"u8, _redactor.Redact(message));
            }

            Json.WriteEndObject();
            Json.WriteEndObject();
        });
    }

    /// <summary>Writes a message whose payload is raw JSON we own (SPEC, CATALOG).</summary>
    public void Raw(string type, string payloadField, Action<Utf8JsonWriter> writePayload)
    {
        Write(flush: true, () =>
        {
            Json.WriteStartObject();
            Json.WriteString("type"u8, type);
            Json.WritePropertyName(payloadField);
            writePayload(Json);
            Json.WriteEndObject();
        });
    }

    /// <summary>Sends what is buffered on to the output.</summary>
    public void Flush() => _output.Flush();

    private void Write(bool flush, Action compose) =>
        _output.Write(compose, flush, static compose => compose());

    private void StartTrace(ReadOnlySpan<byte> traceType)
    {
        Json.WriteStartObject();
        Json.WriteString("type"u8, "TRACE"u8);
        Json.WritePropertyName("trace"u8);
        Json.WriteStartObject();
        Json.WriteString("type"u8, traceType);
        Json.WriteNumber("emitted_at"u8, NowMs);
    }

    private void EndTrace()
    {
        Json.WriteEndObject();
        Json.WriteEndObject();
    }

    private void WriteDescriptor(string stream)
    {
        Json.WritePropertyName("stream_descriptor"u8);
        Json.WriteStartObject();
        Json.WriteString("name"u8, stream);
        Json.WriteEndObject();
    }

    public void Dispose() => _output.Dispose();
}
