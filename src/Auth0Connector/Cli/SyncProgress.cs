using System.Globalization;

namespace Auth0Connector.Cli;

/// <summary>
/// What a person at a terminal sees of a <c>read</c> (stdout carries only protocol messages): on a
/// terminal, a live line on stderr for the running stream (records, rate, requests, time waited on
/// rate limits), redrawn every second; on any stderr, a summary table at the end naming every
/// stream with its status, records, requests and duration.
/// </summary>
internal sealed class SyncProgress(TextWriter stderr, bool live, TimeProvider time, Func<long> requests, Func<TimeSpan> waited) : IDisposable
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(1);
    private readonly Lock _gate = new();
    private readonly List<StreamProgress> _streams = [];
    private readonly long _startedAt = time.GetTimestamp();
    private ITimer? _timer;
    private StreamProgress? _running;
    private bool _lineShown;

    /// <summary>Figures of one stream; <see cref="Record"/> is called for each record written.</summary>
    internal sealed class StreamProgress(string name, long startedAt, long requestsAtStart, TimeSpan waitedAtStart)
    {
        private long _records;

        public string Name { get; } = name;

        public long StartedAt { get; } = startedAt;

        public long RequestsAtStart { get; } = requestsAtStart;

        public TimeSpan WaitedAtStart { get; } = waitedAtStart;

        public long Records => Volatile.Read(ref _records);

        public string Status { get; set; } = "RUNNING";

        public long Requests { get; set; }

        public TimeSpan Waited { get; set; }

        public TimeSpan Duration { get; set; }

        /// <summary>One more record (single writer: the read loop).</summary>
        public void Record() => Volatile.Write(ref _records, _records + 1);
    }

    public StreamProgress Start(string stream)
    {
        var progress = new StreamProgress(stream, time.GetTimestamp(), requests(), waited());
        lock (_gate)
        {
            _streams.Add(progress);
            _running = progress;
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
            progress.Requests = requests() - progress.RequestsAtStart;
            progress.Waited = waited() - progress.WaitedAtStart;
            progress.Duration = time.GetElapsedTime(progress.StartedAt);
            _running = null;
            ClearLine();
        }
    }

    /// <summary>The line shown for the running stream.</summary>
    internal string LiveLine(StreamProgress progress)
    {
        var elapsed = time.GetElapsedTime(progress.StartedAt);
        var records = progress.Records;
        var rate = elapsed.TotalSeconds >= 0.5 ? records / elapsed.TotalSeconds : 0;
        var rateLimited = waited() - progress.WaitedAtStart;
        return string.Create(CultureInfo.InvariantCulture,
            $"{progress.Name}: {records:N0} records ({rate:N0}/s), {requests() - progress.RequestsAtStart:N0} requests, {rateLimited.TotalSeconds:F1} s waited on rate limits, {elapsed.TotalSeconds:F0} s");
    }

    private void Draw()
    {
        lock (_gate)
        {
            if (_running is not { } running)
            {
                return;
            }

            // Carriage return, the line, then erase whatever a longer previous line left.
            stderr.Write($"\r{LiveLine(running)}\u001b[K");
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

    /// <summary>The summary table; every stream of the catalog is named, those not run as SKIPPED.</summary>
    public void WriteSummary(IEnumerable<string> catalog)
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
            output.Append(CultureInfo.InvariantCulture, $"  {"stream".PadRight(width)}  {"status",-10} {"records",12} {"requests",9} {"rate-limit wait",16} {"duration",9}\n");
            foreach (var row in rows)
            {
                output.Append(CultureInfo.InvariantCulture, $"  {row.Name.PadRight(width)}  {row.Status,-10} {row.Records,12:N0} {row.Requests,9:N0} {row.Waited.TotalSeconds,14:F1} s {row.Duration.TotalSeconds,7:F1} s\n");
            }

            if (complete < rows.Count)
            {
                output.Append("  The streams not COMPLETE are explained by the TRACE ERROR messages on stdout.\n");
            }

            stderr.Write(output.ToString());
            stderr.Flush();
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
