using System.IO.Compression;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Auth0Connector.Foundation;
using Auth0Connector.Http;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams.Cursors;

/// <summary>
/// A users export's file, the documented way to reach users the search cannot (more than 1000 sharing one
/// <c>updated_at</c> millisecond after a bulk import): the gzipped NDJSON streamed from the job's pre-signed link,
/// one user at a time (<see cref="UsersExportJob"/> runs the job, once per sync).
/// </summary>
internal static class UsersExport
{
    /// <summary>Fresh links asked of the job after the storage host refused one (expired), per download.</summary>
    internal const int MaxFreshLinks = 3;

    /// <summary>Every exported user for which <paramref name="keep"/> is true, each its own document: the caller disposes it.</summary>
    public static async IAsyncEnumerable<JsonDocument> ReadAsync(StreamContext context, UsersExportJob job, Func<JsonElement, bool> keep, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var downloads = context.Downloads ?? throw new InvalidOperationException("No download client for users exports.");
        var id = job.Id!;
        using var response = await OpenDownloadAsync(context, downloads, job, cancellationToken);
        await using var raw = await response.Content.ReadAsStreamAsync(cancellationToken);
        await using var unzipped = new GZipStream(raw, CompressionMode.Decompress);
        using var file = new ExportFile(unzipped, id, context.Config.RequestTimeout, context.Config.UsersExportTimeout, context.Time, cancellationToken);
        int exported = 0, withUpdatedAt = 0, kept = 0;
        while (await file.NextLineAsync(exported) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var user = ParseUser(line, id, exported++);
            withUpdatedAt += user.RootElement.TryGetProperty("updated_at", out _) ? 1 : 0;
            if (keep(user.RootElement))
            {
                kept++;
                yield return user;
            }
            else
            {
                user.Dispose();
            }
        }

        if (exported > 0 && withUpdatedAt == 0)
        {
            // The walk cannot place users without updated_at: the file is not what was asked for.
            throw new InvalidDataException($"users: export {id} held {exported} users, none with updated_at: the exported fields are not those the job named.");
        }

        if (kept == 0)
        {
            // Possible when the users were updated again before the export's snapshot: they are
            // then read at their new updated_at, later in the walk.
            context.Messages.Log(LogLevel.Warn, $"users: export {id} held none of the users the search counted at that instant; they were updated since and are read at their new updated_at.");
        }
    }

    /// <summary>
    /// The file's response, headers read. A link the storage host refuses as expired (it lives a minute) is asked
    /// of the same job again, up to <see cref="MaxFreshLinks"/> times: never a second job. Other failures are
    /// transient (the next sync tries again).
    /// </summary>
    private static async Task<HttpResponseMessage> OpenDownloadAsync(StreamContext context, HttpClient downloads, UsersExportJob job, CancellationToken cancellationToken)
    {
        for (var fresh = 0; ; fresh++)
        {
            var location = await job.LinkAsync(cancellationToken);
            HttpResponseMessage response;
            try
            {
                response = await downloads.GetAsync(new Uri(location), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            }
            catch (Exception e) when (Auth0TransportException.IsTransportFailure(e, cancellationToken))
            {
                throw new Auth0TransportException($"users: downloading export {job.Id} failed after retries: {e.Message}", e);
            }

            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            var status = (int)response.StatusCode;
            response.Dispose();
            var expired = ErrorResolution.ForDownload(response.StatusCode) == ErrorAction.RefreshLink;
            if (expired && fresh < MaxFreshLinks)
            {
                context.Messages.Log(LogLevel.Info, $"users: the download link of export {job.Id} was refused (HTTP {status}: it expired); asking the job for a fresh one");
                continue;
            }

            var message = expired
                ? $"users: downloading export {job.Id} answered HTTP {status} for {fresh + 1} links in a row, each fresh from the job: the links expired before the download began (the storage host's clock, or a proxy holding the request?)."
                : $"users: downloading export {job.Id} answered HTTP {status}.";
            throw new Auth0TransportException(message, new HttpRequestException(message, null, response.StatusCode));
        }
    }

    /// <summary>One exported line as its own document; a line that is no JSON object fails the stream naming the export.</summary>
    private static JsonDocument ParseUser(string line, string id, int index)
    {
        JsonDocument user;
        try
        {
            user = JsonDocument.Parse(line, ServerJson.Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"users: line {index + 1} of export {id} is not valid JSON (byte {e.BytePositionInLine + 1}): the file is damaged or not an export.", e);
        }

        try
        {
            RecordRows.RequireObject(user.RootElement, $"users export {id}", index);
            return user;
        }
        catch
        {
            user.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The export file's lines. The body is read after the retry pipeline has returned, so a
    /// stalled or cut download must still end: as a transient error (the next sync tries again). Only the download counts against the stall timer, not the time the caller takes
    /// to write each user.
    /// </summary>
    private sealed class ExportFile(Stream unzipped, string id, TimeSpan stallTimeout, TimeSpan limit, TimeProvider time, CancellationToken cancellationToken) : IDisposable
    {
        private readonly BoundedLineReader _lines = new(unzipped);
        /// <summary>More lines than any tenant has users: a file that never ends.</summary>
        private const long MaxLines = 50_000_000;

        private readonly StallWatch _watch = new(time, stallTimeout, cancellationToken);
        private readonly long _startedAt = time.GetTimestamp();
        private long _lineCount;

        public async ValueTask<string?> NextLineAsync(int exported)
        {
            if (++_lineCount > MaxLines)
            {
                throw new InvalidDataException($"users: export {id} goes on past {MaxLines:N0} lines, more users than any tenant holds: the file is not an export.");
            }

            if (time.GetElapsedTime(_startedAt) > limit)
            {
                var message = $"users: the download of export {id} took longer than {UsersExportJob.Describe(limit)} (users_export_timeout_hours).";
                throw new Auth0TransportException(message, new TimeoutException(message));
            }

            try
            {
                var line = await _lines.ReadLineAsync(_watch.Arm());
                _watch.Disarm();
                return line;
            }
            catch (OperationCanceledException e) when (_watch.Stalled)
            {
                throw new Auth0TransportException($"users: the download of export {id} stalled (no data for {stallTimeout.TotalSeconds:F0} s).", e);
            }
            catch (LineTooLongException e)
            {
                throw new InvalidDataException($"users: export {id}, after {exported} users: {e.Message}", e);
            }
            catch (Exception e) when (e is IOException or HttpRequestException or InvalidDataException)
            {
                throw new Auth0TransportException($"users: the download of export {id} broke off after {exported} users.", e);
            }
        }

        public void Dispose()
        {
            _lines.Dispose();
            _watch.Dispose();
        }
    }
}
