using System.IO.Compression;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Auth0Connector.Foundation;
using Auth0Connector.Http;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams.Cursors;

/// <summary>
/// Auth0's users export job, the documented way to reach users the search cannot (more than 1000
/// sharing one <c>updated_at</c> millisecond after a bulk import): create the job, poll it, then
/// stream the gzipped NDJSON file from its pre-signed URL, one user at a time.
/// </summary>
internal static class UsersExport
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan JobTimeout = TimeSpan.FromHours(2);

    /// <summary>
    /// Auth0 exports only "a predefined set of fields" unless told which: name every documented user
    /// field, so that exported users carry what searched ones do (custom top-level attributes aside,
    /// which an export cannot name in advance).
    /// </summary>
    private const string JobRequest = """
        {"format":"json","fields":[{"name":"user_id"},{"name":"email"},{"name":"email_verified"},{"name":"username"},{"name":"phone_number"},{"name":"phone_verified"},{"name":"created_at"},{"name":"updated_at"},{"name":"identities"},{"name":"app_metadata"},{"name":"user_metadata"},{"name":"picture"},{"name":"name"},{"name":"nickname"},{"name":"multifactor"},{"name":"last_ip"},{"name":"last_login"},{"name":"logins_count"},{"name":"blocked"},{"name":"given_name"},{"name":"family_name"}]}
        """;

    /// <summary>Every exported user for which <paramref name="keep"/> is true, each its own document: the caller disposes it.</summary>
    public static async IAsyncEnumerable<JsonDocument> ReadAsync(StreamContext context, Func<JsonElement, bool> keep, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var downloads = context.Downloads ?? throw new InvalidOperationException("No download client for users exports.");
        var id = await StartJobAsync(context, cancellationToken);
        var location = await WaitForJobAsync(context, id, cancellationToken);
        using var response = await OpenDownloadAsync(downloads, id, location, cancellationToken);
        await using var raw = await response.Content.ReadAsStreamAsync(cancellationToken);
        await using var unzipped = new GZipStream(raw, CompressionMode.Decompress);
        using var file = new ExportFile(unzipped, id, context.Config.RequestTimeout, context.Time, cancellationToken);
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

    private static async Task<string> StartJobAsync(StreamContext context, CancellationToken cancellationToken)
    {
        using var created = await context.Api.PostJsonAsync("jobs/users-exports", JobRequest, cancellationToken);
        var id = created.RootElement.StringProperty("id") ?? throw new InvalidDataException("The users export job was created without an id.");
        context.Messages.Log(LogLevel.Info, $"users: export job {id} started");
        return id;
    }

    /// <summary>Polls the job until it completes; the link to its file.</summary>
    private static async Task<string> WaitForJobAsync(StreamContext context, string id, CancellationToken cancellationToken)
    {
        var started = context.Time.GetUtcNow();
        while (true)
        {
            using var job = await context.Api.GetJsonAsync(ApiPath.Of("jobs", id), cancellationToken);
            var status = job.RootElement.StringProperty("status");
            if (status == "completed" && job.RootElement.StringProperty("location") is { } location)
            {
                context.Messages.Log(LogLevel.Info, $"users: export job {id} completed after {(context.Time.GetUtcNow() - started).TotalSeconds:F0} s; streaming its file");
                return location;
            }

            if (status is "failed" or "cancelled")
            {
                throw new InvalidDataException($"users: export job {id} ended as '{status}'.");
            }

            if (context.Time.GetUtcNow() - started > JobTimeout)
            {
                var message = $"users: export job {id} did not complete within {JobTimeout.TotalHours} hours.";
                throw new Auth0TransportException(message, new TimeoutException(message));
            }

            await Task.Delay(PollInterval, context.Time, cancellationToken);
        }
    }

    /// <summary>
    /// The file's response, headers read. Its failures are transient (the next sync starts a new
    /// export): a 403 here is the short-lived link expiring, not a missing scope.
    /// </summary>
    private static async Task<HttpResponseMessage> OpenDownloadAsync(HttpClient downloads, string id, string location, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await downloads.GetAsync(new Uri(location), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (Exception e) when (Auth0TransportException.IsTransportFailure(e, cancellationToken))
        {
            throw new Auth0TransportException($"users: downloading export {id} failed after retries: {e.Message}", e);
        }

        if (!response.IsSuccessStatusCode)
        {
            response.Dispose();
            var message = $"users: downloading export {id} answered HTTP {(int)response.StatusCode}{(response.StatusCode == HttpStatusCode.Forbidden ? " (the link expired?)" : string.Empty)}.";
            throw new Auth0TransportException(message, new HttpRequestException(message, null, response.StatusCode));
        }

        return response;
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
    /// stalled or cut download must still end: as a transient error (the next sync starts a new
    /// export). Only the download counts against the stall timer, not the time the caller takes
    /// to write each user.
    /// </summary>
    private sealed class ExportFile(Stream unzipped, string id, TimeSpan stallTimeout, TimeProvider time, CancellationToken cancellationToken) : IDisposable
    {
        private readonly BoundedLineReader _lines = new(unzipped);
        /// <summary>More lines than any tenant has users: a file that never ends.</summary>
        private const long MaxLines = 50_000_000;

        private readonly CancellationTokenSource _stalled = new(Timeout.InfiniteTimeSpan, time);
        private readonly long _startedAt = time.GetTimestamp();
        private CancellationTokenSource? _reading;
        private long _lineCount;

        public async ValueTask<string?> NextLineAsync(int exported)
        {
            if (++_lineCount > MaxLines)
            {
                throw new InvalidDataException($"users: export {id} goes on past {MaxLines:N0} lines, more users than any tenant holds: the file is not an export.");
            }

            if (time.GetElapsedTime(_startedAt) > JobTimeout)
            {
                var message = $"users: the download of export {id} took longer than {JobTimeout.TotalHours} hours.";
                throw new Auth0TransportException(message, new TimeoutException(message));
            }

            _reading ??= CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stalled.Token);
            _stalled.CancelAfter(stallTimeout);
            try
            {
                var line = await _lines.ReadLineAsync(_reading.Token);
                _stalled.CancelAfter(Timeout.InfiniteTimeSpan);
                return line;
            }
            catch (OperationCanceledException e) when (_stalled.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
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
            _reading?.Dispose();
            _stalled.Dispose();
        }
    }
}
