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

    /// <summary>Every exported user for which <paramref name="keep"/> is true, each its own document: the caller disposes it.</summary>
    public static async IAsyncEnumerable<JsonDocument> ReadAsync(StreamContext context, Func<JsonElement, bool> keep, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var downloads = context.Downloads ?? throw new InvalidOperationException("No download client for users exports.");
        string id;
        using (var created = await context.Api.PostJsonAsync("jobs/users-exports", """{"format":"json"}""", cancellationToken))
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
            using var job = await context.Api.GetJsonAsync($"jobs/{Uri.EscapeDataString(id)}", cancellationToken);
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
                throw new TimeoutException($"users: export job {id} did not complete within {JobTimeout.TotalHours} hours.");
            }

            await Task.Delay(PollInterval, context.Time, cancellationToken);
        }

        context.Messages.Log(LogLevel.Info, $"users: export job {id} completed after {(context.Time.GetUtcNow() - started).TotalSeconds:F0} s; streaming its file");
        using var response = await downloads.GetAsync(new Uri(location), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new Auth0ApiException(response.StatusCode, null, $"Downloading users export {id} answered HTTP {(int)response.StatusCode}{(response.StatusCode == HttpStatusCode.Forbidden ? " (the link expired?)" : string.Empty)}.", "users-export");
        }

        await using var raw = await response.Content.ReadAsStreamAsync(cancellationToken);
        await using var unzipped = new GZipStream(raw, CompressionMode.Decompress);
        using var lines = new StreamReader(unzipped);
        while (await lines.ReadLineAsync(cancellationToken) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var user = JsonDocument.Parse(line);
            if (user.RootElement.ValueKind == JsonValueKind.Object && keep(user.RootElement))
            {
                yield return user;
            }
            else
            {
                user.Dispose();
            }
        }
    }
}
