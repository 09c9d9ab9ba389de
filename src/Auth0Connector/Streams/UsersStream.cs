using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Auth0Connector.Configuration;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams;

/// <summary>
/// Users (<c>GET /api/v2/users</c>, search engine v3), full refresh or incremental on <c>updated_at</c>.
/// </summary>
/// <remarks>
/// The search returns only the first 1000 hits of a query, so the stream walks the time axis:
/// each request asks for page 0 of <c>updated_at:[T TO end}</c> sorted by <c>updated_at</c>,
/// and the next request starts at the last <c>updated_at</c> seen (users at that same
/// millisecond already delivered are skipped by id). No query ever pages, so none can reach the
/// cap however large the tenant, and users changing during the sync cannot shift a page under us.
/// A block of users sharing one millisecond is read by offset paging of that exact instant, which
/// reaches 1000 of them; more than that fails the stream loudly rather than dropping anyone.
/// The window ends at the sync's start: later updates are picked up by the next sync.
/// </remarks>
internal sealed class UsersStream : IAuth0Stream
{
    public const string Cursor = "updated_at";
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public string Name => "users";

    public IReadOnlyList<string> PrimaryKey { get; } = ["user_id"];

    public string? CursorField => Cursor;

    public string RequiredScope => "read:users";

    public void ValidateState(JsonElement state) => _ = ReadStateCursor(state);

    /// <summary>The <c>updated_at</c> of a users state object; null for an empty state.</summary>
    internal static DateTimeOffset? ReadStateCursor(JsonElement state)
    {
        if (state.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigException("state.users", $"The users state must be an object like {{\"updated_at\": \"2024-01-01T00:00:00.000Z\"}}, not {JsonInput.Describe(state)}.");
        }

        var text = JsonInput.OptionalString(state, Cursor, "state.users.updated_at");
        if (text is null)
        {
            return null;
        }

        return JsonInput.TryParseIso8601(text) ?? throw new ConfigException("state.users.updated_at", $"'state.users.updated_at' is '{text}', which is not an ISO-8601 date-time. Fix it (e.g. 2024-01-01T00:00:00.000Z) or remove the users state to read every user again.");
    }

    public async IAsyncEnumerable<StreamItem> ReadAsync(StreamContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var stateCursor = context.Mode == SyncMode.Incremental && context.State is { } state ? ReadStateCursor(state) : null;
        // Look back from the saved cursor (never before start_date): updates the search index had
        // not yet shown to the previous sync are read now. Users seen again are re-delivered.
        var start = stateCursor is { } cursor
            ? Max(cursor - context.Config.Lookback, context.Config.StartDate)
            : context.Config.StartDate;
        // Millisecond precision, as Auth0 stores it; the end is exclusive.
        var end = TruncateToMilliseconds(context.Time.GetUtcNow());
        context.Messages.Log(LogLevel.Info, $"users: reading updated_at from {(start is { } s ? Format(s) : "the beginning")} to {Format(end)} ({(context.Mode == SyncMode.Incremental ? "incremental" : "full refresh")})");

        DateTimeOffset? lower = start;
        var lowerInclusive = true;
        string? boundary = null;               // the updated_at of the last record delivered
        var deliveredAtBoundary = new HashSet<string>(StringComparer.Ordinal);
        string? lastCheckpoint = stateCursor is { } c ? Format(c) : null;
        var estimated = false;

        while (true)
        {
            var pageSize = context.PageSize.Value;
            var query = $"updated_at:{(lowerInclusive ? '[' : '{')}{(lower is { } l ? Format(l) : "*")} TO {Format(end)}}}";
            using var document = await SearchAsync(context, query, page: 0, pageSize, cancellationToken);
            if (document is null)
            {
                continue; // page size stepped down
            }

            var root = document.RootElement;
            if (!estimated && Paginators.TotalOf(root) is { } total)
            {
                context.Messages.Estimate(Name, total);
                estimated = true;
            }

            var users = Paginators.Items(root, "users", "users");
            var count = users.GetArrayLength();
            if (count == 0)
            {
                break;
            }

            var first = UpdatedAt(users[0]);
            var last = UpdatedAt(users[count - 1]);
            if (count == pageSize && first is not null && first == last)
            {
                // A full page of one instant: page through exactly that millisecond instead.
                var instant = TryParseTimestamp(first) ?? throw new InvalidDataException($"users: updated_at '{first}' is not a timestamp.");
                await foreach (var user in ReadInstantAsync(context, instant, first == boundary ? deliveredAtBoundary : null, cancellationToken))
                {
                    yield return StreamItem.Of(user);
                }

                boundary = null;
                deliveredAtBoundary.Clear();
                lower = instant;
                lowerInclusive = false;
                if (first != lastCheckpoint)
                {
                    lastCheckpoint = first;
                    yield return StreamItem.Checkpoint(StateJson(first));
                }

                continue;
            }

            foreach (var user in users.EnumerateArray())
            {
                var updatedAt = UpdatedAt(user);
                var id = UserId(user);
                if (updatedAt is not null && updatedAt == boundary && id is not null && !deliveredAtBoundary.Add(id))
                {
                    continue; // delivered by the previous request
                }

                if (updatedAt is not null && updatedAt != boundary)
                {
                    boundary = updatedAt;
                    deliveredAtBoundary.Clear();
                    if (id is not null)
                    {
                        deliveredAtBoundary.Add(id);
                    }
                }

                yield return StreamItem.Of(user);
            }

            if (count < pageSize || last is null)
            {
                break;
            }

            lower = TryParseTimestamp(last) ?? throw new InvalidDataException($"users: updated_at '{last}' is not a timestamp.");
            lowerInclusive = true;
            if (last != lastCheckpoint)
            {
                // Everything before 'last' is delivered; a restart re-reads at most the users at 'last'.
                lastCheckpoint = last;
                yield return StreamItem.Checkpoint(StateJson(last));
            }
        }

        if (boundary is not null && boundary != lastCheckpoint)
        {
            lastCheckpoint = boundary;
        }

        yield return StreamItem.Checkpoint(lastCheckpoint is null ? "{}" : StateJson(lastCheckpoint));
    }

    /// <summary>Every user updated at exactly <paramref name="instant"/>, by offset paging (at most 1000).</summary>
    private async IAsyncEnumerable<JsonElement> ReadInstantAsync(StreamContext context, DateTimeOffset instant, HashSet<string>? alreadyDelivered, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = $"updated_at:[{Format(instant)} TO {Format(instant)}]";
        var delivered = 0;
        while (true)
        {
            var pageSize = context.PageSize.Value;
            var page = delivered / pageSize;
            using var document = await SearchAsync(context, query, page, pageSize, cancellationToken);
            if (document is null)
            {
                continue;
            }

            var root = document.RootElement;
            if (Paginators.TotalOf(root) is > Paginators.ResultCap and var total)
            {
                // Search cannot reach them all: the export job can. Users already delivered from
                // this instant are skipped, so the stream has each user once.
                context.Messages.Log(LogLevel.Info, $"users: {total} users share updated_at {Format(instant)} (a bulk import?); the search returns at most {Paginators.ResultCap} of one query, so they are read from a users export instead");
                var exported = UsersExport.ReadAsync(context, user => UpdatedAt(user) is { } at && TryParseTimestamp(at) == instant && !(UserId(user) is { } id && alreadyDelivered?.Contains(id) == true), cancellationToken);
                await foreach (var user in exported)
                {
                    yield return user;
                }

                yield break;
            }

            var users = Paginators.Items(root, "users", "users");
            var count = users.GetArrayLength();
            foreach (var user in users.EnumerateArray())
            {
                if (alreadyDelivered is not null && UserId(user) is { } id && alreadyDelivered.Contains(id))
                {
                    continue;
                }

                yield return user;
            }

            delivered += count;
            if (count < pageSize || (Paginators.TotalOf(root) is { } t && delivered >= t))
            {
                yield break;
            }

            if ((delivered / pageSize + 1) * pageSize > Paginators.ResultCap)
            {
                throw new ResultCapException($"users: more than {Paginators.ResultCap} users share updated_at {Format(instant)}; they cannot all be read by search.");
            }
        }
    }

    /// <summary>One search request; null when the page size had to step down (ask again).</summary>
    private static async Task<JsonDocument?> SearchAsync(StreamContext context, string query, int page, int pageSize, CancellationToken cancellationToken)
    {
        var uri = $"users?q={Uri.EscapeDataString(query)}&sort={Uri.EscapeDataString("updated_at:1")}&search_engine=v3&page={page}&per_page={pageSize}&include_totals=true";
        try
        {
            return await context.Api.GetJsonAsync(uri, cancellationToken);
        }
        catch (Http.Auth0ApiException e) when (context.PageSize.TryStepDown(e, pageSize))
        {
            return null;
        }
    }

    private static string? UpdatedAt(JsonElement user) =>
        user.ValueKind == JsonValueKind.Object && user.TryGetProperty(Cursor, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? UserId(JsonElement user) =>
        user.ValueKind == JsonValueKind.Object && user.TryGetProperty("user_id", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string StateJson(string updatedAt) => $"{{\"{Cursor}\":{JsonSerializer.Serialize(updatedAt, ConnectorJsonContext.Default.String)}}}";

    internal static string Format(DateTimeOffset value) => value.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    internal static DateTimeOffset? TryParseTimestamp(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value) ? value : null;

    private static DateTimeOffset Max(DateTimeOffset value, DateTimeOffset? floor) => floor is { } f && f > value ? f : value;

    private static DateTimeOffset TruncateToMilliseconds(DateTimeOffset value) =>
        DateTimeOffset.FromUnixTimeMilliseconds(value.ToUnixTimeMilliseconds());
}
