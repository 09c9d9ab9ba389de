using System.Text;
using System.Text.Json;
using Auth0Connector.Foundation;
using Auth0Connector.Protocol;

namespace Auth0Connector.Tests.Protocol;

public class MessageWriterTests
{
    private static List<string> Lines(MemoryStream output) =>
        [.. Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)];

    [Fact]
    public void Record_FailsWhileComposing_WritesNothingAndLaterMessagesAreWhole()
    {
        using var output = new MemoryStream();
        using var writer = new MessageWriter(output, TimeProvider.System, new Redactor());
        using var row = JsonDocument.Parse("[1,2]");

        Assert.ThrowsAny<Exception>(() => writer.Record("members", row.RootElement, [new RecordField("org_id", "org_1")]));
        writer.Error(FailureType.SystemError, "the stream failed", stream: "members");
        writer.Flush();

        var line = Assert.Single(Lines(output));
        using var message = JsonDocument.Parse(line);
        Assert.Equal("TRACE", message.RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Record_WrittenFromManyThreads_EveryLineIsOneWholeMessage()
    {
        using var output = new MemoryStream();
        using var writer = new MessageWriter(output, TimeProvider.System, new Redactor());
        using var row = JsonDocument.Parse($$"""{"id":"x","blob":"{{new string('b', 5_000)}}"}""");

        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                writer.Record("s", row.RootElement, i % 2 == 0 ? [new RecordField("t", $"{t}")] : null);
            }
        })));
        writer.Flush();

        var lines = Lines(output);
        Assert.Equal(1_600, lines.Count);
        Assert.All(lines, l => JsonDocument.Parse(l).Dispose());
    }

    [Fact]
    public void Record_OutputThrowsIOException_CancelsTheRunAndRefusesLaterMessages()
    {
        using var output = new FailingStream();
        using var run = new CancellationTokenSource();
        using var writer = new MessageWriter(output, TimeProvider.System, new Redactor(), run);
        using var row = JsonDocument.Parse("""{"id":"x"}""");

        Assert.Throws<OutputClosedException>(() => writer.Record("s", row.RootElement));
        Assert.True(run.IsCancellationRequested);
        Assert.True(writer.OutputClosed);
        Assert.Throws<OutputClosedException>(() => writer.Log(LogLevel.Info, "later"));
        Assert.Equal(1, output.Writes);
        writer.Dispose(); // does not throw: stdout is gone, there is nothing left to flush to
    }

    private sealed class FailingStream : MemoryStream
    {
        public int Writes { get; private set; }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Writes++;
            throw new IOException("Broken pipe");
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
    }
}
