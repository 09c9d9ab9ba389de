using System.IO.Compression;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Auth0Connector.Http;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams;

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
        string id;
        using (var created = await context.Api.PostJsonAsync("jobs/users-exports", JobRequest, cancellationToken))
        {
            id = created.RootElement.TryGetProperty("id", out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()!
                : throw new InvalidDataException("The users export job was created without an id.");
        }

        context.Messages.Log(LogLevel.Info, $"users: export job {id} started");
        var started = context.Time.GetUtcNow();
        string location;
        while (true)
        {
            using var job = await context.Api.GetJsonAsync(ApiPath.Of("jobs", id), cancellationToken);
            var status = job.RootElement.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            if (status == "completed" && job.RootElement.TryGetProperty("location", out var l) && l.ValueKind == JsonValueKind.String)
            {
                location = l.GetString()!;
                break;
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

        context.Messages.Log(LogLevel.Info, $"users: export job {id} completed after {(context.Time.GetUtcNow() - started).TotalSeconds:F0} s; streaming its file");
        // Failures of the download are transient (the next sync starts a new export): a 403 here is
        // the short-lived link expiring, not a missing scope.
        HttpResponseMessage response;
        try
        {
            response = await downloads.GetAsync(new Uri(location), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (Exception e) when (Auth0TransportException.IsTransportFailure(e, cancellationToken))
        {
            throw new Auth0TransportException($"users: downloading export {id} failed after retries: {e.Message}", e);
        }

        using var download = response;
        if (!response.IsSuccessStatusCode)
        {
            var message = $"users: downloading export {id} answered HTTP {(int)response.StatusCode}{(response.StatusCode == HttpStatusCode.Forbidden ? " (the link expired?)" : string.Empty)}.";
            throw new Auth0TransportException(message, new HttpRequestException(message, null, response.StatusCode));
        }

        // The body is read after the retry pipeline has returned: a stalled or cut download must
        // still end, as a transient error (the next sync starts a new export).
        using var stalled = new CancellationTokenSource(Timeout.InfiniteTimeSpan, context.Time);
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stalled.Token);
        await using var raw = await response.Content.ReadAsStreamAsync(cancellationToken);
        await using var unzipped = new GZipStream(raw, CompressionMode.Decompress);
        using var lines = new BoundedLineReader(unzipped);
        var exported = 0;
        var withUpdatedAt = 0;
        var kept = 0;
        while (true)
        {
            string? line;
            stalled.CancelAfter(context.Config.RequestTimeout);
            try
            {
                line = await lines.ReadLineAsync(reading.Token);
                // Only the download counts: not the time the caller takes to write each user.
                stalled.CancelAfter(Timeout.InfiniteTimeSpan);
            }
            catch (OperationCanceledException e) when (stalled.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new Auth0TransportException($"users: the download of export {id} stalled (no data for {context.Config.RequestTimeout.TotalSeconds:F0} s).", e);
            }
            catch (LineTooLongException e)
            {
                throw new InvalidDataException($"users: export {id}, after {exported} users: {e.Message}", e);
            }
            catch (Exception e) when (e is IOException or HttpRequestException or InvalidDataException)
            {
                throw new Auth0TransportException($"users: the download of export {id} broke off after {exported} users.", e);
            }

            if (line is null)
            {
                break;
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            exported++;
            var user = JsonDocument.Parse(line, ServerJson.Options);
            try
            {
                RecordRows.RequireObject(user.RootElement, $"users export {id}", exported - 1);
            }
            catch
            {
                user.Dispose();
                throw;
            }

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
}
