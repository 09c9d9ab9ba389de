using Microsoft.Win32.SafeHandles;

namespace Auth0Connector.Cli;

/// <summary>
/// The process's stdout as a stream that reports a broken pipe. Console.OpenStandardOutput()
/// silently drops writes that fail with EPIPE on Unix, so a connector whose reader went away would
/// read the whole tenant for nobody; a FileStream over fd 1 throws an IOException instead. Only
/// pipes and sockets have readers that can leave, so a file keeps the console's stream.
/// </summary>
internal static class StandardOutput
{
    public static Stream Open()
    {
        if (OperatingSystem.IsWindows())
        {
            return Console.OpenStandardOutput();
        }

        try
        {
            var stream = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
            if (!stream.CanSeek)
            {
                return stream;
            }

            // A file: no reader can go away, and a FileStream keeps its own offset, which would
            // overwrite stderr's lines when both go to the same file (> out 2>&1).
            stream.Dispose();
            return Console.OpenStandardOutput();
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or NotSupportedException)
        {
            // No usable fd 1 (closed, or an unusual handle): the console's stream still writes.
            return Console.OpenStandardOutput();
        }
    }
}
