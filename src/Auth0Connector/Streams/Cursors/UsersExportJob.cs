using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using Auth0Connector.Foundation;
using Auth0Connector.Http;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams.Cursors;

/// <summary>
/// The sync's one users export job. Auth0 exports the whole tenant, so one job serves every instant the search
/// cannot read: it is created when first needed, polled as it asks (its <c>time_left_seconds</c>) for as long as
/// <c>users_export_timeout_hours</c> allows, with its progress in the LOG and on the terminal, and each download
/// gets a fresh link from it (a link lives a minute; Auth0's job keeps its file a day). A plan without exports
/// refuses the job: that is said once, and remembered.
/// </summary>
internal sealed class UsersExportJob(StreamContext context)
{
    /// <summary>The shortest wait between polls, and the first.</summary>
    internal static readonly TimeSpan MinPoll = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between polls when the job gives no estimate.</summary>
    internal static readonly TimeSpan MaxPoll = TimeSpan.FromMinutes(1);

    /// <summary>The longest wait between polls of a job that says it needs longer: half its estimate, at most this.</summary>
    internal static readonly TimeSpan MaxPollWithEstimate = TimeSpan.FromMinutes(5);

    /// <summary>A job's progress is logged when it passes a tenth, and at least this often.</summary>
    private static readonly TimeSpan LogEvery = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Auth0 exports only "a predefined set of fields" unless told which: name every documented user
    /// field, so that exported users carry what searched ones do (custom top-level attributes aside,
    /// which an export cannot name in advance).
    /// </summary>
    private const string JobRequest = """
        {"format":"json","fields":[{"name":"user_id"},{"name":"email"},{"name":"email_verified"},{"name":"username"},{"name":"phone_number"},{"name":"phone_verified"},{"name":"created_at"},{"name":"updated_at"},{"name":"identities"},{"name":"app_metadata"},{"name":"user_metadata"},{"name":"picture"},{"name":"name"},{"name":"nickname"},{"name":"multifactor"},{"name":"last_ip"},{"name":"last_login"},{"name":"logins_count"},{"name":"blocked"},{"name":"given_name"},{"name":"family_name"}]}
        """;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _refused;
    private bool _completed;
    private Exception? _failed;
    private string? _unusedLink;

    /// <summary>The job's id, once created.</summary>
    public string? Id { get; private set; }

    /// <summary>
    /// The job created (at most once per sync) and completed; false when the tenant's plan has no users export. A
    /// job that failed or took too long fails every later caller the same way: never a second job.
    /// </summary>
    public async Task<bool> ReadyAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_failed is not null)
            {
                ExceptionDispatchInfo.Throw(_failed);
            }

            if (_refused || _completed)
            {
                return !_refused;
            }

            if (Id is null && !await TryStartAsync(cancellationToken))
            {
                return false;
            }

            try
            {
                _unusedLink = await WaitAsync(Id!, cancellationToken);
                _completed = true;
                return true;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _failed = e;
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A link to the completed job's file: the one its completing poll gave, if unused, else a fresh one from <c>GET /jobs/{id}</c>.</summary>
    public async Task<string> LinkAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _unusedLink, null) is { } link)
        {
            return link;
        }

        using var job = await context.Api.GetJsonAsync(ApiPath.Of("jobs", Id!), cancellationToken);
        var status = job.RootElement.StringProperty("status");
        return status == "completed" && job.RootElement.StringProperty("location") is { } location
            ? location
            : throw new InvalidDataException($"users: export job {Id} answered '{status}' without a download link after it had completed (Auth0 keeps a job's file for 24 hours).");
    }

    /// <summary>Creates the job; false (and one LOG WARN) when the plan refuses it.</summary>
    private async Task<bool> TryStartAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var created = await context.Api.PostJsonAsync("jobs/users-exports", JobRequest, cancellationToken);
            Id = created.RootElement.StringProperty("id") ?? throw new InvalidDataException("The users export job was created without an id.");
        }
        catch (Auth0ApiException e) when (ErrorResolution.For(e) == ErrorAction.PlanLacksFeature)
        {
            _refused = true;
            context.Messages.Log(LogLevel.Warn, $"users: this tenant's subscription plan has no users export ({e.Message}). The users stream goes on with range queries, which read every user except where more than 1000 share one updated_at millisecond (a bulk import): those cannot be read without an export.");
            return false;
        }

        context.Messages.Log(LogLevel.Info, $"users: export job {Id} started (waiting at most {Describe(context.Config.UsersExportTimeout)}, users_export_timeout_hours)");
        return true;
    }

    /// <summary>Polls the job until it completes, as often as its estimate asks; the link to its file.</summary>
    private async Task<string> WaitAsync(string id, CancellationToken cancellationToken)
    {
        var limit = context.Config.UsersExportTimeout;
        var started = context.Time.GetUtcNow();
        var lastLog = DateTimeOffset.MinValue;
        int? lastPercent = null;
        try
        {
            for (var poll = 0; ; poll++)
            {
                using var job = await context.Api.GetJsonAsync(ApiPath.Of("jobs", id), cancellationToken);
                var root = job.RootElement;
                var status = root.StringProperty("status");
                var elapsed = context.Time.GetUtcNow() - started;
                if (status == "completed" && root.StringProperty("location") is { } location)
                {
                    context.Messages.Log(LogLevel.Info, $"users: export job {id} completed after {Describe(elapsed)} ({poll + 1} polls); streaming its file");
                    return location;
                }

                if (status is "failed" or "cancelled")
                {
                    throw new InvalidDataException($"users: export job {id} ended as '{status}'{(root.StringProperty("status_details") is { } details ? $": {details}" : string.Empty)}.");
                }

                if (elapsed >= limit)
                {
                    var message = $"users: export job {id} did not complete within {Describe(limit)} (users_export_timeout_hours); raise it if this tenant's exports take longer.";
                    throw new Auth0TransportException(message, new TimeoutException(message));
                }

                var percent = IntProperty(root, "percentage_done");
                TimeSpan? left = IntProperty(root, "time_left_seconds") is { } seconds ? TimeSpan.FromSeconds(seconds) : null;
                var progress = $"{status ?? "running"}{(percent is { } p ? $", {p} % done" : string.Empty)}{(left is { } l ? $", about {Describe(l)} left" : string.Empty)}";
                if (RequestScope.Current is { } scope)
                {
                    scope.Note = $"export job {progress}";
                }

                var now = context.Time.GetUtcNow();
                if (poll == 0 || now - lastLog >= LogEvery || percent / 10 != lastPercent / 10)
                {
                    context.Messages.Log(LogLevel.Info, $"users: export job {id} {progress} (waited {Describe(elapsed)} of at most {Describe(limit)})");
                    (lastLog, lastPercent) = (now, percent);
                }

                var wait = NextPoll(poll, left);
                await Task.Delay(wait < limit - elapsed ? wait : limit - elapsed, context.Time, cancellationToken);
            }
        }
        finally
        {
            if (RequestScope.Current is { } scope)
            {
                scope.Note = null;
            }
        }
    }

    /// <summary>
    /// The wait before the next poll: half the job's own estimate (2 s to 5 min), or, without one, 2 s growing by
    /// half each poll up to a minute. A job of hours costs a few hundred polls, not one every 2 s.
    /// </summary>
    internal static TimeSpan NextPoll(int poll, TimeSpan? timeLeft) =>
        timeLeft is { } left
            ? Clamp(left / 2, MinPoll, MaxPollWithEstimate)
            : Clamp(MinPoll * Math.Pow(1.5, Math.Min(poll, 20)), MinPoll, MaxPoll);

    /// <summary>A duration as a person reads it: "40 s", "12 min", "3 h 5 min".</summary>
    internal static string Describe(TimeSpan span) => span switch
    {
        _ when span < TimeSpan.FromMinutes(2) => string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, span.TotalSeconds):F0} s"),
        _ when span < TimeSpan.FromHours(2) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:F0} min"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours} h{(span.Minutes > 0 ? $" {span.Minutes} min" : string.Empty)}"),
    };

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => value < min ? min : value > max ? max : value;

    private static int? IntProperty(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= 0 ? number : null;
}
