using System.Text;

namespace Auth0Connector.Streams;

/// <summary>
/// Reads text line by line like <see cref="StreamReader.ReadLineAsync(CancellationToken)"/>, but
/// refuses a line longer than <see cref="MaxLineChars"/> instead of buffering it: an endless line
/// (a broken or hostile export file) is an error, not gigabytes of memory.
/// </summary>
internal sealed class BoundedLineReader(Stream input) : IDisposable
{
    /// <summary>One exported user is a few kilobytes; a line of four million characters is no user.</summary>
    public const int MaxLineChars = 4 * 1024 * 1024;

    private readonly StreamReader _reader = new(input, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024);
    private readonly char[] _buffer = new char[64 * 1024];
    private readonly StringBuilder _line = new();
    private int _start;
    private int _end;

    /// <summary>The next line without its terminator, or null at the end of the input.</summary>
    public async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        _line.Clear();
        while (true)
        {
            if (_start == _end)
            {
                _end = await _reader.ReadAsync(_buffer.AsMemory(), cancellationToken);
                _start = 0;
                if (_end == 0)
                {
                    return _line.Length > 0 ? _line.ToString() : null;
                }
            }

            var span = _buffer.AsSpan(_start, _end - _start);
            var newline = span.IndexOf('\n');
            var take = newline < 0 ? span.Length : newline;
            if (_line.Length + take > MaxLineChars)
            {
                throw new LineTooLongException($"a line is longer than {MaxLineChars:N0} characters (no exported user is that large): the file is damaged or not an export.");
            }

            _line.Append(span[..take]);
            _start += newline < 0 ? take : take + 1;
            if (newline >= 0)
            {
                if (_line.Length > 0 && _line[^1] == '\r')
                {
                    _line.Length--;
                }

                return _line.ToString();
            }
        }
    }

    public void Dispose() => _reader.Dispose();
}

/// <summary>A line over <see cref="BoundedLineReader.MaxLineChars"/>: the input is not what it should be.</summary>
internal sealed class LineTooLongException(string message) : Exception(message);
