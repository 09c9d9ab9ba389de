using System.Text;
using Auth0Connector.Streams;

namespace Auth0Connector.Tests.Streams;

public class BoundedLineReaderTests
{
    private static async Task<List<string>> LinesOf(Stream input)
    {
        using var reader = new BoundedLineReader(input);
        var lines = new List<string>();
        while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }

    [Fact]
    public async Task ReadLineAsync_LfCrLfAndAnUnterminatedLastLine_SplitLikeStreamReader()
    {
        var text = "{\"a\":1}\r\n{\"b\":2}\n\n{\"c\":\"é\"}";

        var lines = await LinesOf(new MemoryStream(Encoding.UTF8.GetBytes(text)));

        Assert.Equal(["{\"a\":1}", "{\"b\":2}", string.Empty, "{\"c\":\"é\"}"], lines);
    }

    [Fact]
    public async Task ReadLineAsync_EndlessLine_RefusedAfterTheCapNotBuffered()
    {
        // An endless stream without a newline: the reader stops at the cap instead of reading on.
        var endless = new EndlessStream();

        await Assert.ThrowsAsync<LineTooLongException>(() => LinesOf(endless));

        Assert.InRange(endless.Served, BoundedLineReader.MaxLineChars, BoundedLineReader.MaxLineChars + (256 * 1024));
    }

    private sealed class EndlessStream : Stream
    {
        public long Served { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Served; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            buffer.AsSpan(offset, count).Fill((byte)'x');
            Served += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
