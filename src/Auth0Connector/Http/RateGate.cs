using System.Globalization;

namespace Auth0Connector.Http;

/// <summary>What the gate admitted a request on: given back with its answer (<see cref="RateGate.Completed"/>).</summary>
internal readonly record struct RateTicket(EndpointGroup Group, BucketModel Bucket, bool TookToken, long Probe);

/// <summary>A bucket as the summary shows it: the groups it serves, what the connector learnt of it, requests and waits.</summary>
internal sealed record BucketReport(IReadOnlyList<EndpointGroup> Groups, int? Limit, double? RefillPerSecond, bool RefillMeasured, long Requests, TimeSpan Waited);

/// <summary>
/// The rate gate every Management API request of the process passes (retries included): one budget per bucket of
/// the tenant. Each request is paced by the bucket model of its endpoint group (<see cref="EndpointGroups"/>), which
/// mirrors that bucket from the <c>x-ratelimit-*</c> headers of the answers it serves (<see cref="BucketModel"/>),
/// so requests of different buckets never wait for each other; with <c>requests_per_second</c> set the whole
/// process is also capped, to leave room for other clients.
/// </summary>
/// <remarks>
/// Every group starts on one shared model: Free and Enterprise tenants have one global bucket, and a model that
/// is shared where the buckets are separate is only slow, never a 429. The first answer that cannot come from the
/// shared bucket (another limit, or more requests remaining than it can have) shows that the tenant has a bucket
/// per group (Essentials, Professional); from then on each group is split off to a model of its own at its next
/// answer, and a model never takes another bucket's headers.
/// </remarks>
internal sealed class RateGate(TimeProvider time, double? requestsPerSecond, ThrottleMonitor monitor, DiagnosticLog? log = null)
{
    private readonly Lock _gate = new();
    private readonly TimeSpan _interval = requestsPerSecond is { } rps ? TimeSpan.FromSeconds(1 / rps) : TimeSpan.Zero;
    private readonly Dictionary<EndpointGroup, BucketModel> _buckets = Initial();
    private readonly Dictionary<EndpointGroup, long> _sent = [];
    private readonly HashSet<EndpointGroup> _answeredGroups = [];

    // Requests of groups that never answered, waiting on a shared model: they go before the answered groups' (their
    // answer may show a bucket of their own, which a shared model drained by the others would hide for seconds).
    private readonly Dictionary<EndpointGroup, int> _firstLooks = [];
    private static readonly TimeSpan FirstLookPoll = TimeSpan.FromMilliseconds(10);
    private DateTimeOffset _nextSlot = DateTimeOffset.MinValue;
    private readonly TaskCompletionSource _firstSuccess = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _perGroup;
    private int _models = 1;

    /// <summary>Completes with the first successful answer: the credentials work (read starts its other streams then).</summary>
    public Task FirstSuccess => _firstSuccess.Task;

    /// <summary>True once the tenant's answers showed one bucket per endpoint group.</summary>
    public bool PerGroupBuckets
    {
        get
        {
            lock (_gate)
            {
                return _perGroup;
            }
        }
    }

    /// <summary>Waits for this request's turn in its group's bucket; the caller reports the answer with <see cref="Completed"/>.</summary>
    public async ValueTask<RateTicket> AcquireAsync(EndpointGroup group, CancellationToken cancellationToken)
    {
        var waited = TimeSpan.Zero;
        DateTimeOffset? quotaReset = null;
        var firstLook = StartFirstLook(group);
        try
        {
            while (true)
            {
                TimeSpan wait;
                RateTicket ticket;
                string? holding = null;
                lock (_gate)
                {
                    var now = time.GetUtcNow();
                    var bucket = _buckets[group];
                    if (_perGroup && bucket.Groups.Count > 1 && !_answeredGroups.Contains(group))
                    {
                        // The tenant has a bucket per group, and this group's is unknown: it starts on its own model, one
                        // request first, rather than wait on a shared model the others drained.
                        bucket = SplitOff(group, bucket);
                        bucket.AwaitsFirstAnswer = true;
                    }

                    if (!firstLook && bucket.Groups.Count > 1 && FirstLookWaiting(bucket))
                    {
                        ticket = default;
                        wait = FirstLookPoll;
                    }
                    else if (bucket.TryAdmit(now, out var tookToken, out var probe, out wait))
                    {
                        ticket = new RateTicket(group, bucket, tookToken, probe);
                        bucket.Used.Add(group);
                        _sent[group] = _sent.GetValueOrDefault(group) + 1;
                        bucket.AddWait(now - waited, now);
                        var slot = _nextSlot > now ? _nextSlot : now;
                        _nextSlot = slot + _interval;
                        wait = slot - now;
                        if (firstLook)
                        {
                            _firstLooks[group]--;
                            firstLook = false;
                        }
                    }
                    else
                    {
                        ticket = default;
                        quotaReset = bucket.RefillPerSecond is null ? bucket.ResetAt : now + wait;
                        if (log?.DebugEnabled == true)
                        {
                            holding = $"rate gate: holding a {EndpointGroups.NameOf(group)} request {Capped(wait).TotalMilliseconds:F0} ms (bucket model {bucket.Tokens:F2} requests of {bucket.Limit}, refill {(bucket.RefillPerSecond is { } r ? r.ToString("F2", CultureInfo.InvariantCulture) : "unknown")}/s)";
                        }
                    }
                }

                if (ticket.Bucket is not null)
                {
                    await WaitForSlotAsync(ticket, wait, cancellationToken);
                    // Pacing by requests_per_second is our own choice, not the tenant's limit: not reported.
                    monitor.Waited(waited, quotaReset);
                    return ticket;
                }

                // However the model got there (a refill rate measured near zero, say), no pause exceeds a minute.
                wait = Capped(wait);
                if (holding is not null)
                {
                    log!.Debug(holding);
                }

                await Task.Delay(wait, time, cancellationToken);
                waited += wait;
            }
        }
        finally
        {
            if (firstLook)
            {
                // Given up before it was admitted.
                lock (_gate)
                {
                    _firstLooks[group]--;
                }
            }
        }
    }

    private bool StartFirstLook(EndpointGroup group)
    {
        lock (_gate)
        {
            if (_answeredGroups.Contains(group))
            {
                return false;
            }

            _firstLooks[group] = _firstLooks.GetValueOrDefault(group) + 1;
            return true;
        }
    }

    private bool FirstLookWaiting(BucketModel bucket) =>
        _firstLooks.Any(f => f.Value > 0 && _buckets[f.Key] == bucket);

    /// <summary>Records what the answer says about its bucket (null: the request failed without one).</summary>
    public void Completed(RateTicket ticket, HttpResponseMessage? response)
    {
        var now = time.GetUtcNow();
        var headers = response is null ? default : RateLimitHeaders.Read(response, now);
        var limited = response?.StatusCode == System.Net.HttpStatusCode.TooManyRequests;
        if (response?.IsSuccessStatusCode == true)
        {
            _firstSuccess.TrySetResult();
        }

        string? split = null;
        lock (_gate)
        {
            ticket.Bucket.Answered();
            var bucket = _buckets[ticket.Group];
            if (headers.Remaining is not null)
            {
                _answeredGroups.Add(ticket.Group);
            }

            if (headers.Remaining is not null && bucket.Groups.Count > 1)
            {
                if (!_perGroup && bucket.Contradicts(ticket.Group, headers, now))
                {
                    _perGroup = true;
                    split = $"rate gate: {EndpointGroups.NameOf(ticket.Group)} answered with limit {headers.Limit?.ToString(CultureInfo.InvariantCulture) ?? "?"}, remaining {headers.Remaining} where the shared model allows {bucket.Tokens:F1} of {bucket.Limit}: the tenant has a bucket per endpoint group";
                }

                if (_perGroup)
                {
                    bucket = SplitOff(ticket.Group, bucket);
                }
            }

            bucket.Observe(ticket.Group, headers, limited, now);
        }

        if (split is not null)
        {
            log?.Debug(split);
        }
    }

    /// <summary>Every bucket model with its figures, in the order they were made.</summary>
    public IReadOnlyList<BucketReport> Report()
    {
        lock (_gate)
        {
            return [.. _buckets.Values.Distinct().OrderBy(b => b.Id)
                .Select(b => (Bucket: b, Groups: b.Groups.Where(_sent.ContainsKey).Order().ToList()))
                .Where(b => b.Groups.Count > 0)
                .Select(b => new BucketReport(b.Groups, b.Bucket.Known ? b.Bucket.Limit : null, b.Bucket.RefillPerSecond, b.Bucket.RefillMeasured, b.Groups.Sum(g => _sent[g]), b.Bucket.Waited))];
        }
    }

    private static Dictionary<EndpointGroup, BucketModel> Initial()
    {
        var shared = new BucketModel(0);
        foreach (var group in Enum.GetValues<EndpointGroup>())
        {
            shared.Groups.Add(group);
        }

        return shared.Groups.ToDictionary(g => g, _ => shared);
    }

    /// <summary><paramref name="group"/> gets a model of its own; the shared one forgets the answers that mixed both.</summary>
    private BucketModel SplitOff(EndpointGroup group, BucketModel shared)
    {
        shared.Groups.Remove(group);
        shared.ForgetMeasurements();
        var own = new BucketModel(_models++);
        own.Groups.Add(group);
        _buckets[group] = own;
        return own;
    }

    private static TimeSpan Capped(TimeSpan wait) =>
        wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait > RateLimitHeaders.MaxWait ? RateLimitHeaders.MaxWait : wait;

    /// <summary>An admitted request's wait for its requests_per_second slot; given up there, it was never sent.</summary>
    private async Task WaitForSlotAsync(RateTicket ticket, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await Task.Delay(wait, time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Given up before it was sent: nothing is in flight, no probe is pending.
            lock (_gate)
            {
                ticket.Bucket.Abandoned(ticket.TookToken, ticket.Probe);
            }

            throw;
        }
    }
}

/// <summary>
/// Makes each attempt (retries included) pass the <see cref="RateGate"/> in its endpoint group's bucket, then wait
/// for one of the process's <c>max_concurrency</c> slots: a request waiting for its bucket holds no slot, so a slow
/// bucket never keeps the others' requests from going.
/// </summary>
internal sealed class RateGateHandler(RateGate gate, SemaphoreSlim inFlight) : DelegatingHandler
{
    /// <summary>The request option naming a request's endpoint group (read by the debug log).</summary>
    public static readonly HttpRequestOptionsKey<EndpointGroup> GroupOption = new("auth0-connector.endpoint-group");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var group = request.RequestUri is { } uri ? EndpointGroups.Of(request.Method, uri) : EndpointGroup.Other;
        request.Options.Set(GroupOption, group);
        var ticket = await gate.AcquireAsync(group, cancellationToken);
        HttpResponseMessage? response = null;
        var slot = false;
        try
        {
            await inFlight.WaitAsync(cancellationToken);
            slot = true;
            response = await base.SendAsync(request, cancellationToken);
            return response;
        }
        finally
        {
            if (slot)
            {
                inFlight.Release();
            }

            gate.Completed(ticket, response);
        }
    }
}
