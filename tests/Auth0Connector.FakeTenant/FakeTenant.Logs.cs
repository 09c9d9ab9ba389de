using System.Globalization;
using System.Text.Json.Nodes;
using WireMock;
using WireMock.Types;

namespace Auth0Connector.FakeTenant;

/// <summary>
/// <c>GET /api/v2/logs</c> and <c>GET /api/v2/logs/{id}</c> (docs/auth0-endpoints.md §2.1): checkpoint mode
/// (<c>from</c>/<c>take</c>, unbounded) and search mode (<c>q</c>/<c>page</c>/<c>per_page</c>/<c>sort</c>, capped at
/// 1000 results), over a retention window that tests move with <see cref="AppendLogs"/> and <see cref="ExpireLogsBefore"/>.
/// </summary>
public sealed partial class FakeTenant
{
    private const string LogsTakeProperty = "on property take (Number of entries to retrieve when using the from parameter. Default 50, max 100).";

    private readonly Lock _logsGate = new();
    private LogData? _logData;

    /// <summary>The retained log events exactly as served, ascending by <c>log_id</c> (a snapshot).</summary>
    public IReadOnlyList<JsonObject> Logs => Array.ConvertAll(LogStore.Events, e => e.Json);

    /// <summary>The retained <c>log_id</c>s, ascending.</summary>
    public IReadOnlyList<string> LogIds => Array.ConvertAll(LogStore.Events, e => e.Id);

    private LogData LogStore
    {
        get
        {
            lock (_logsGate)
            {
                return _logData ??= new LogData(Options);
            }
        }
    }

    /// <summary>
    /// New events, the first <paramref name="after"/> (default 1 s) past the newest; ids and dates keep growing.
    /// Events falling out of <see cref="FakeTenantOptions.LogRetention"/> of the newest age out. Returns the new records.
    /// </summary>
    public IReadOnlyList<JsonObject> AppendLogs(int count, TimeSpan? after = null)
    {
        lock (_logsGate)
        {
            return Array.ConvertAll(LogStore.Append(count, after ?? TimeSpan.FromSeconds(1)), e => e.Json);
        }
    }

    /// <summary>Ages out every event dated before <paramref name="cutoff"/>, as the tenant's retention does; returns how many.</summary>
    public int ExpireLogsBefore(DateTimeOffset cutoff)
    {
        lock (_logsGate)
        {
            return LogStore.ExpireBefore(cutoff);
        }
    }

    private ResponseMessage GetLogs(ApiCall call)
    {
        if (!RequireScope(call, out var error, "read:logs", "read:logs_users"))
        {
            return error;
        }

        var events = LogStore.Events;
        // "If you use from at the same time as q, from takes precedence and q is ignored" [OAS].
        return IsCheckpoint(call) ? LogsCheckpoint(call, events) : LogsSearch(call, events);
    }

    private ResponseMessage GetLog(ApiCall call, string id)
    {
        if (!RequireScope(call, out var error, "read:logs", "read:logs_users"))
        {
            return error;
        }

        // Inferred (not recorded): an aged-out or unknown id answers 404.
        var events = LogStore.Events;
        int at = Array.BinarySearch(events, new LogEvent(id, 0, null!), LogIdOrder.Instance);
        return at >= 0 ? call.Reply(200, events[at].Json) : call.Reply(404, Http.ApiError(404, "Not Found", "log not found"));
    }

    /// <summary>
    /// Checkpoint mode: a bare array of up to <c>take</c> events with a <c>log_id</c> greater than <c>from</c>,
    /// ascending, and a <c>Link</c> header whose <c>next</c> continues after the last one (the same URL when empty).
    /// Any other parameter is ignored. An aged-out <c>from</c> yields the oldest retained events after it.
    /// </summary>
    private ResponseMessage LogsCheckpoint(ApiCall call, LogEvent[] events)
    {
        int take = DefaultPerPage;
        if (call.Query.TryGetValue("take", out var rawTake))
        {
            if (!int.TryParse(rawTake, NumberStyles.Integer, CultureInfo.InvariantCulture, out take))
            {
                return call.Reply(400, Http.BadRequest("Query validation error: 'Expected type integer but found type string' " + LogsTakeProperty));
            }

            if (take is < 1 or > MaxTake)
            {
                return call.Reply(400, Http.BadRequest($"Query validation error: 'Too {(take < 1 ? "small: must be at least 1" : $"big: must be at most {MaxTake}")}' " + LogsTakeProperty));
            }
        }

        int start = 0;
        string? from = call.Query.GetValueOrDefault("from");
        if (!string.IsNullOrEmpty(from))
        {
            if (!from.All(char.IsAsciiDigit))
            {
                return call.Reply(400, Http.BadRequest("Query validation error: 'Invalid log_id' on property from (Log Event Id from which to start selection from)."));
            }

            int at = Array.BinarySearch(events, new LogEvent(from, 0, null!), LogIdOrder.Instance);
            start = at >= 0 ? at + 1 : ~at;
        }

        int end = Math.Min(events.Length, start + Served(take));
        var response = call.Reply(200, w =>
        {
            w.WriteStartArray();
            for (int i = start; i < end; i++)
            {
                events[i].Json.WriteTo(w);
            }

            w.WriteEndArray();
        });
        string next = end > start
            ? string.Create(CultureInfo.InvariantCulture, $"{BaseUrl}/api/v2/logs?from={events[end - 1].Id}&take={take}")
            : BaseUrl + call.Request.Path + (string.IsNullOrEmpty(call.Request.RawQuery) ? string.Empty : "?" + call.Request.RawQuery.TrimStart('?'));
        response.Headers!["Link"] = new WireMockList<string>($"<{next}>; rel=\"next\"");
        return response;
    }

    /// <summary>
    /// Search mode: <c>q</c> (here <c>date:[a TO b]</c> ranges and <c>type:x</c>), <c>sort=date:1|-1</c> (default: newest
    /// <c>log_id</c> first), <c>fields</c>/<c>include_fields</c>, <c>page</c>/<c>per_page</c> ≤ 100, <c>include_totals</c> envelope
    /// <c>{start, limit, length, logs, total}</c>; any page reaching past the first 1000 results is a 400.
    /// </summary>
    private ResponseMessage LogsSearch(ApiCall call, LogEvent[] events)
    {
        if (!TryOffset(call, UsersCapMessage, out var page, out var error))
        {
            return error;
        }

        if (!LogQuery.TryParse(call.Query.GetValueOrDefault("q"), out var match))
        {
            return call.Reply(400, Http.BadRequest("Invalid query string: the search query could not be parsed", "invalid_query"));
        }

        var hits = events.Where(match);
        string sort = call.Query.GetValueOrDefault("sort") ?? string.Empty;
        if (sort is not ("" or "date:1" or "date:-1"))
        {
            return call.Reply(400, Http.BadRequest("Query validation error: 'String does not match pattern ^(([a-zA-Z0-9_\\.]+))\\:(1|-1)$' on property sort (Field to use for sorting. Use field:order where order is 1 for ascending and -1 for descending. For example date:-1)."));
        }

        var found = sort switch
        {
            "date:1" => hits.OrderBy(e => e.DateTicks).ThenBy(e => e, LogIdOrder.Instance).ToArray(),
            "date:-1" => hits.OrderByDescending(e => e.DateTicks).ThenByDescending(e => e, LogIdOrder.Instance).ToArray(),
            _ => hits.Reverse().ToArray(),
        };
        var projection = Projection.From(call.Query);
        return WriteOffset(call, "logs", page, found.Length, (w, i) => Http.WriteProjected(w, found[i].Json, projection), withLength: true);
    }

    /// <summary>Log ids of equal length compare as text; a shorter id is a smaller number.</summary>
    private sealed class LogIdOrder : IComparer<LogEvent>
    {
        public static readonly LogIdOrder Instance = new();

        public int Compare(LogEvent? x, LogEvent? y) =>
            x!.Id.Length != y!.Id.Length ? x.Id.Length.CompareTo(y.Id.Length) : string.CompareOrdinal(x.Id, y.Id);
    }
}
