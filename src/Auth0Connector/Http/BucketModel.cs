namespace Auth0Connector.Http;

/// <summary>
/// The connector's model of one of the tenant's token buckets, from the <c>x-ratelimit-limit/remaining/reset</c>
/// headers of the responses it serves: how many requests it allows now, how fast it refills. Not thread-safe:
/// <see cref="RateGate"/> calls it under its lock.
/// </summary>
/// <remarks>
/// The refill starts from what Auth0 publishes for the bucket's group and limit
/// (<see cref="EndpointGroups.PublishedRefill"/>) and is measured as soon as the bucket is being drained: between
/// two responses it gained <c>remaining_now - remaining_then + requests answered in between</c> (429s excepted; each
/// 429 also lowers the estimate). The measurement wins over the table. With neither, an empty bucket is probed once
/// at its reset time.
/// </remarks>
internal sealed class BucketModel(int id)
{
    private const int Window = 40;
    private const double Safety = 0.99;

    // One request of the bucket is kept in hand: the model is an estimate (answers overtake each other,
    // requests in flight are counted or not yet, clocks differ), and a request sent on the bucket's
    // last token is a 429 whenever the estimate is a little high. It costs one request's time, once.
    private const double Reserve = 1;
    private static readonly TimeSpan MinimumSpan = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ProbePoll = TimeSpan.FromMilliseconds(10);

    // Reset is in whole seconds and clocks differ a little: aim just after it.
    private static readonly TimeSpan ResetMargin = TimeSpan.FromMilliseconds(50);
    private readonly Queue<(DateTimeOffset At, int Remaining, bool Spent)> _observations = new();
    private DateTimeOffset _tokensAt;
    private DateTimeOffset _resetAt;
    private DateTimeOffset _holdUntil;  // an empty bucket whose reset is later than the refill allows: until then
    private bool _probing;
    private long _probe;              // which admitted request is the probe (see Abandoned)
    private readonly HashSet<EndpointGroup> _answered = [];
    private (DateTimeOffset At, int Remaining, EndpointGroup Group)? _last;
    private double? _published;       // Auth0's table for this bucket (the slowest of its groups')

    public int Id { get; } = id;

    /// <summary>The endpoint groups this bucket is known or assumed to serve.</summary>
    public HashSet<EndpointGroup> Groups { get; } = [];

    /// <summary>The groups whose requests it admitted.</summary>
    public SortedSet<EndpointGroup> Used { get; } = [];

    /// <summary>Have we seen rate-limit headers at all?</summary>
    public bool Known { get; private set; }

    /// <summary>Requests the bucket allows now, by our model.</summary>
    public double Tokens { get; private set; }

    public int Limit { get; private set; } = int.MaxValue;

    public double? RefillPerSecond { get; private set; }

    /// <summary>True once the refill comes from this bucket's own headers rather than Auth0's table.</summary>
    public bool RefillMeasured { get; private set; }

    public int InFlight { get; private set; }

    /// <summary>
    /// True for a group's own model made before that group ever answered: nothing is known of its bucket, so it
    /// admits one request and waits for its answer before the next (a guess of its size would be a burst of 429s).
    /// </summary>
    public bool AwaitsFirstAnswer { get; set; }

    /// <summary>When the tenant says the bucket next gains requests.</summary>
    public DateTimeOffset ResetAt => _resetAt;

    /// <summary>Requests admitted, and the time they waited for this bucket (summed per request, for the summary).</summary>
    public long Admitted { get; private set; }

    public TimeSpan Waited { get; private set; }

    private DateTimeOffset _waitCoveredUntil = DateTimeOffset.MinValue;

    /// <summary>A request of this bucket waited from <paramref name="from"/> to <paramref name="to"/>; requests waiting side by side count once.</summary>
    public void AddWait(DateTimeOffset from, DateTimeOffset to)
    {
        var start = from > _waitCoveredUntil ? from : _waitCoveredUntil;
        if (to > start)
        {
            Waited += to - start;
            _waitCoveredUntil = to;
        }
    }

    /// <summary>
    /// Admits a request now if the model allows it; otherwise how long to wait. <paramref name="probe"/> is non-zero
    /// when the request is the one probe of a bucket whose refill is unknown.
    /// </summary>
    public bool TryAdmit(DateTimeOffset now, out bool tookToken, out long probe, out TimeSpan wait)
    {
        Refill(now);
        (tookToken, probe, wait) = (false, 0, TimeSpan.Zero);
        if (now < _holdUntil)
        {
            wait = _holdUntil - now;
            return false;
        }

        if (AwaitsFirstAnswer && InFlight > 0)
        {
            wait = ProbePoll;
            return false;
        }

        if (!Known || Tokens >= 1 + Reserve)
        {
            Tokens--;
            tookToken = true;
        }
        else if (RefillPerSecond is { } rate)
        {
            wait = TimeSpan.FromSeconds((1 + Reserve - Tokens) / rate);
            return false;
        }
        else if (!_probing && now >= _resetAt)
        {
            _probing = true;
            probe = ++_probe;
        }
        else
        {
            wait = _probing || _resetAt <= now ? ProbePoll : _resetAt - now;
            return false;
        }

        InFlight++;
        Admitted++;
        return true;
    }

    /// <summary>A request admitted by this bucket was given up before it was sent.</summary>
    public void Abandoned(bool tookToken, long probe)
    {
        InFlight = Math.Max(0, InFlight - 1);
        Admitted = Math.Max(0, Admitted - 1);
        if (tookToken)
        {
            Tokens++;
        }

        // Only if this request is still the pending probe, not one admitted since.
        if (probe != 0 && probe == _probe)
        {
            _probing = false;
        }
    }

    /// <summary>A request admitted by this bucket has its answer (or failed without one).</summary>
    public void Answered()
    {
        InFlight = Math.Max(0, InFlight - 1);
        _probing = false;
        AwaitsFirstAnswer = false;
    }

    /// <summary>
    /// Whether an answer for <paramref name="group"/> cannot have come from this bucket: another limit, or more
    /// requests remaining than the bucket can have gained since another group's answer (fast refill and answers
    /// overtaking each other allowed for).
    /// </summary>
    public bool Contradicts(EndpointGroup group, RateLimitHeaders headers, DateTimeOffset now)
    {
        if (!Known || headers.Remaining is not { } remaining)
        {
            return false;
        }

        if (headers.Limit is { } limit && limit != Limit)
        {
            return true;
        }

        if (_last is not { } last || last.Group == group)
        {
            return false;
        }

        // The refill in use may be Auth0's table for one of the groups, or measured while we did not drain the
        // bucket: either can be far below a bucket's true pace (one bucket of 10 refilling 10 a second). No Auth0
        // bucket refills faster than its limit a second: that is the bound.
        var fastest = Math.Max(RefillPerSecond ?? 0, Limit) * 1.25;
        return remaining > last.Remaining + (fastest * (now - last.At).TotalSeconds) + InFlight + 1;
    }

    /// <summary>Takes what an answer for <paramref name="group"/> says about the bucket.</summary>
    public void Observe(EndpointGroup group, RateLimitHeaders headers, bool limited, DateTimeOffset now)
    {
        if (headers.Remaining is not { } r)
        {
            return;
        }

        Refill(now);
        // The tenant reports whole requests, and the others still in flight were probably not
        // counted yet. Answers can arrive out of order: a count above our model is trusted less
        // one (the answer may have been overtaken by one already counted), a lower one fully.
        var floor = r - InFlight;
        if (!Known)
        {
            Tokens = floor;
        }
        else if (floor > Tokens)
        {
            Tokens = Math.Max(Tokens, floor - 1);
        }
        else
        {
            Tokens = RefillPerSecond is null ? floor : Math.Min(Tokens, floor + 0.999);
        }

        Known = true;
        Limit = headers.Limit ?? Limit;
        _tokensAt = now;
        _last = (now, r, group);
        // A 429's Retry-After is the tenant's explicit answer: it wins over the bucket's reset time.
        if (limited && headers.RetryAfter is { } after)
        {
            _resetAt = now + after;
        }
        else if (headers.Reset is { } at && at + ResetMargin > _resetAt)
        {
            _resetAt = at + ResetMargin;
        }

        if (_answered.Add(group) && headers.Limit is { } published && EndpointGroups.PublishedRefill(group, published) is { } table
            && (_published is not { } known || table < known))
        {
            // Auth0's table for this group and limit (groups assumed to share a bucket: the slowest of them).
            _published = table;
            RefillPerSecond = RefillMeasured ? RefillPerSecond : table;
        }

        // An empty bucket that gains its next request later than the refill allows (the reset is in whole seconds:
        // one second of doubt) says the refill is not what we think: nothing goes before its reset.
        // A 429's Retry-After is the tenant's explicit answer: it wins over the reset.
        if (limited && headers.RetryAfter is { } asked)
        {
            _holdUntil = now + asked;
        }
        else if (r == 0 && headers.Reset is { } next && RefillPerSecond is { } pace && next - now > TimeSpan.FromSeconds(1 + (1 / pace)))
        {
            _holdUntil = next + ResetMargin;
        }

        if (limited && RefillPerSecond is { } rate)
        {
            // We overestimated the refill: back off, the measurements will correct it.
            RefillPerSecond = rate * 0.8;
        }

        Measure(now, r, spent: !limited);
    }

    /// <summary>Forgets the measurements: they mixed the answers of two buckets.</summary>
    public void ForgetMeasurements()
    {
        _observations.Clear();
        _answered.Clear();
        _last = null;
        _published = null;
    }

    private void Refill(DateTimeOffset now)
    {
        if (RefillPerSecond is { } rate && now > _tokensAt)
        {
            Tokens = Math.Min(Limit, Tokens + (rate * (now - _tokensAt).TotalSeconds));
            _tokensAt = now;
        }
    }

    /// <summary>Refill rate over the recent responses: tokens gained plus tokens spent, per second.</summary>
    private void Measure(DateTimeOffset now, int remaining, bool spent)
    {
        if (remaining >= Math.Max(1, Limit - 1))
        {
            // A bucket that may have been full since the last answer lost refill at its cap: what it gained tells
            // our own pace, not its refill. Below that, whatever we spent, remaining + spent grows at the refill.
            _observations.Clear();
            return;
        }

        _observations.Enqueue((now, remaining, spent));
        while (_observations.Count > Window)
        {
            _observations.Dequeue();
        }

        var (firstAt, firstRemaining, _) = _observations.Peek();
        var span = now - firstAt;
        if (span < MinimumSpan)
        {
            return;
        }

        // Every answered request after the first observation spent a request; a 429 did not.
        var spentSince = _observations.Skip(1).Count(o => o.Spent);
        var gained = remaining - firstRemaining + spentSince;
        // Counts are whole requests: one fewer keeps a short window from overestimating, and a window of a few
        // requests only is not trusted (on a small bucket the one fewer would halve the estimate).
        if (gained > 1 && (gained >= 8 || span >= 4 * MinimumSpan))
        {
            // A measurement within its error of Auth0's table confirms the table (the estimate is biased low by a
            // request per window); one further off wins over it.
            var measured = Safety * (gained - 1) / span.TotalSeconds;
            var confirms = _published is { } table && measured > table * 0.85 && measured < table * 1.15;
            RefillPerSecond = confirms ? _published : measured;
            RefillMeasured = !confirms;
        }
    }
}
