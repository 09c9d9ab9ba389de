using System.Globalization;
using Auth0Connector.Http;

namespace Auth0Connector.Cli;

/// <summary>
/// What a person at a terminal sees of a <c>read</c> (stdout carries only protocol messages): on a
/// terminal, a live line on stderr for the running stream (records, rate, requests, time waited on
/// rate limits), redrawn every second; on any stderr, a summary table at the end naming every
/// stream with its status, records, the total the tenant reported for them, requests and duration.
/// </summary>
internal sealed class SyncProgress(TextWriter stderr, bool live, TimeProvider time, Func<long> requests, Func<TimeSpan> waited) : IDisposable
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(1);
    private readonly Lock _gate = new();
    private readonly List<StreamProgress> _streams = [];
    private readonly long _startedAt = time.GetTimestamp();
    private ITimer? _timer;
    private readonly List<StreamProgress> _running = [];
    private bool _lineShown;

    /// <summary>Figures of one stream; <see cref="Record"/> is called for each record written.</summary>
    internal sealed class StreamProgress(string name, long startedAt, long requestsAtStart, TimeSpan waitedAtStart, RequestScope? scope = null)
    {
        /// <summary>The requests and waits of its unit of work (streams read side by side each have their own); null: the process's.</summary>
        public RequestScope? Scope { get; } = scope;

        private long _records;
        private long _deletions;

        public string Name { get; } = name;

        public long StartedAt { get; } = startedAt;

        public long RequestsAtStart { get; } = requestsAtStart;

        public TimeSpan WaitedAtStart { get; } = waitedAtStart;

        public long Records => Volatile.Read(ref _records);

        public string Status { get; set; } = "RUNNING";

        public long Requests { get; set; }

        public TimeSpan Waited { get; set; }

        public TimeSpan Duration { get; set; }

        /// <summary>Records that said objects were deleted (users deleted in Auth0), among <see cref="Records"/>.</summary>
        public long Deletions => Volatile.Read(ref _deletions);

        /// <summary>What its listings delivered against the totals the tenant reported (null: no listing reported one).</summary>
        public Streams.Reconciliation? Reconciliation { get; set; }

        /// <summary>One more record (single writer: the read loop).</summary>
        public void Record() => Volatile.Write(ref _records, _records + 1);

        /// <summary><paramref name="count"/> of the records to come say objects were deleted.</summary>
        public void Deleted(int count) => Volatile.Write(ref _deletions, _deletions + count);
    }

    public StreamProgress Start(string stream, RequestScope? scope)
    {
        var progress = new StreamProgress(stream, time.GetTimestamp(), scope?.Requests ?? requests(), scope?.Waited ?? waited(), scope);
        lock (_gate)
        {
            _streams.Add(progress);
            _running.Add(progress);
            if (live && _timer is null)
            {
                _timer = time.CreateTimer(_ => Draw(), null, Refresh, Refresh);
            }
        }

        return progress;
    }

    public void End(StreamProgress progress, string status)
    {
        lock (_gate)
        {
            progress.Status = status;
            progress.Requests = RequestsOf(progress) - progress.RequestsAtStart;
            progress.Waited = WaitedOf(progress) - progress.WaitedAtStart;
            progress.Duration = time.GetElapsedTime(progress.StartedAt);
            _running.Remove(progress);
            ClearLine();
        }
    }

    /// <summary>The line shown for the running stream.</summary>
    internal string LiveLine(StreamProgress progress)
    {
        var elapsed = time.GetElapsedTime(progress.StartedAt);
        var records = progress.Records;
        var rate = elapsed.TotalSeconds >= 0.5 ? records / elapsed.TotalSeconds : 0;
        var rateLimited = WaitedOf(progress) - progress.WaitedAtStart;
        return string.Create(CultureInfo.InvariantCulture,
            $"{progress.Name}: {records:N0} records ({rate:N0}/s), {RequestsOf(progress) - progress.RequestsAtStart:N0} requests, {rateLimited.TotalSeconds:F1} s waited on rate limits, {elapsed.TotalSeconds:F0} s{(progress.Scope?.Note is { } note ? $" · {note}" : string.Empty)}");
    }

    /// <summary>The line shown while several streams run side by side: each with its records, then the process's figures.</summary>
    internal string LiveLine(IReadOnlyList<StreamProgress> running)
    {
        if (running.Count == 1)
        {
            return LiveLine(running[0]);
        }

        var streams = string.Join(" · ", running.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Name} {p.Records:N0}{(p.Scope?.Note is { } note ? $" ({note})" : string.Empty)}")));
        return string.Create(CultureInfo.InvariantCulture,
            $"{running.Count} streams: {streams} records; {requests():N0} requests, {waited().TotalSeconds:F1} s waited on rate limits, {time.GetElapsedTime(_startedAt).TotalSeconds:F0} s");
    }

    private long RequestsOf(StreamProgress progress) => progress.Scope?.Requests ?? requests();

    private TimeSpan WaitedOf(StreamProgress progress) => progress.Scope?.Waited ?? waited();

    private void Draw()
    {
        lock (_gate)
        {
            if (_running.Count == 0)
            {
                return;
            }

            // Carriage return, the line, then erase whatever a longer previous line left.
            stderr.Write($"\r{LiveLine(_running)}\u001b[K");
            stderr.Flush();
            _lineShown = true;
        }
    }

    private void ClearLine()
    {
        if (_lineShown)
        {
            stderr.Write("\r\u001b[K");
            stderr.Flush();
            _lineShown = false;
        }
    }

    /// <summary>The summary table; every stream of the catalog is named, those not run as SKIPPED; then the rate-limit buckets.</summary>
    public void WriteSummary(IEnumerable<string> catalog, IReadOnlyList<BucketReport>? buckets = null)
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
            ClearLine();
            var rows = catalog.Select(name => _streams.LastOrDefault(s => s.Name == name) ?? new StreamProgress(name, 0, 0, TimeSpan.Zero) { Status = "SKIPPED" }).ToList();
            var complete = rows.Count(r => r.Status == "COMPLETE");
            var width = Math.Max(6, rows.Max(r => r.Name.Length));
            var output = new System.Text.StringBuilder();
            output.Append(CultureInfo.InvariantCulture, $"read: {complete} of {rows.Count} streams complete in {time.GetElapsedTime(_startedAt).TotalSeconds:F1} s, {rows.Sum(r => r.Records):N0} records, {rows.Sum(r => r.Requests):N0} requests\n");
            output.Append(CultureInfo.InvariantCulture, $"  {"stream".PadRight(width)}  {"status",-10} {"records",12} {"of total",12} {"requests",9} {"rate-limit wait",16} {"duration",9}\n");
            foreach (var row in rows)
            {
                var total = row.Reconciliation is { } r ? r.Reported.ToString("N0", CultureInfo.InvariantCulture) : "-";
                output.Append(CultureInfo.InvariantCulture, $"  {row.Name.PadRight(width)}  {row.Status,-10} {row.Records,12:N0} {total,12} {row.Requests,9:N0} {row.Waited.TotalSeconds,14:F1} s {row.Duration.TotalSeconds,7:F1} s\n");
            }

            foreach (var row in rows.Where(r => r.Deletions > 0))
            {
                output.Append(CultureInfo.InvariantCulture, $"  {row.Name}: {row.Deletions:N0} of its records are deletions (deleted in Auth0 since the last sync, from the tenant log)\n");
            }

            if (complete < rows.Count)
            {
                output.Append("  The streams not COMPLETE are explained by the TRACE ERROR messages on stdout.\n");
            }

            foreach (var row in rows.Where(r => r.Reconciliation is { Missing: > 0 }))
            {
                output.Append(CultureInfo.InvariantCulture, $"  {row.Name}: {row.Reconciliation!.Missing:N0} fewer records than the tenant reported, beyond what changed during the sync (see the LOG WARN).\n");
            }

            if (rows.Any(r => r.Reconciliation is not null))
            {
                output.Append("  'of total': what the tenant reported its listings hold (- where Auth0 reports no total).\n");
            }

            AppendBuckets(output, buckets ?? []);

            stderr.Write(output.ToString());
            stderr.Flush();
        }
    }

    /// <summary>Per rate-limit bucket: the endpoint groups it served, what was learnt of it, requests sent and time waited.</summary>
    private static void AppendBuckets(System.Text.StringBuilder output, IReadOnlyList<BucketReport> buckets)
    {
        if (buckets.Count == 0)
        {
            return;
        }

        var shared = buckets.Count == 1 && buckets[0].Groups.Count > 1;
        output.Append(CultureInfo.InvariantCulture, $"  rate-limit buckets ({(shared ? "one bucket for every endpoint" : "one per endpoint group")}):\n");
        foreach (var bucket in buckets)
        {
            var name = shared ? "every endpoint" : string.Join(", ", bucket.Groups.Select(EndpointGroups.NameOf));
            var limit = bucket.Limit is { } l ? l.ToString(CultureInfo.InvariantCulture) : "?";
            var refill = bucket.RefillPerSecond is { } r ? string.Create(CultureInfo.InvariantCulture, $"{r:0.##}/s {(bucket.RefillMeasured ? "measured" : "as Auth0 publishes")}") : "refill unknown";
            output.Append(CultureInfo.InvariantCulture, $"    {name}: burst {limit}, {refill}; {bucket.Requests:N0} requests, {bucket.Waited.TotalSeconds:F1} s waited\n");
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }
}
