using System.Text;
using WireMock;
using WireMock.ResponseBuilders;
using WireMock.Types;
using WireMock.Util;

namespace Auth0Connector.FakeTenant;

/// <summary>Latency, injected faults and the search index lag (<see cref="FakeTenantOptions"/>).</summary>
public sealed partial class FakeTenant
{
    private static readonly (int Status, string Error, string Message)[] InjectedErrors =
    [
        (500, "Internal Server Error", "An internal server error occurred"),
        (502, "Bad Gateway", "Bad Gateway"),
        (503, "Service Unavailable", "The service is temporarily unavailable. Please try again later."),
    ];

    /// <summary>Updates the search does not see yet, in the order they were made. Guarded by <see cref="_usersGate"/>.</summary>
    private readonly Queue<PendingUpdate> _pendingSearch = new();

    /// <summary>UTC ticks at which the first pending update becomes searchable (<see cref="long.MaxValue"/>: none).</summary>
    private long _nextSearchDue = long.MaxValue;
    private long _faultDraws;
    private int _injectedFaults;
    private int _inFlight;
    private int _maxInFlight;

    /// <summary>Requests to <c>/api/v2/*</c> failed on purpose (<see cref="FakeTenantOptions.FaultRate"/>).</summary>
    public int InjectedFaultCount => Volatile.Read(ref _injectedFaults);

    /// <summary>The most requests held back by <see cref="FakeTenantOptions.Latency"/> at one time: how concurrent a client was.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>
    /// Handles the request when it arrives (token check, rate-limit token, state), then holds the answer back for
    /// <see cref="FakeTenantOptions.Latency"/>. Real time on purpose, not <see cref="FakeTenantOptions.Time"/>: a fake
    /// clock that tests advance by hand would never release the answer. <c>Task.Delay</c> holds no thread, so
    /// concurrent requests wait in parallel.
    /// </summary>
    private Func<IRequestMessage, Task<IResponseMessage>> Delayed(Func<IRequestMessage, ResponseMessage> handler) =>
        async request =>
        {
            var response = handler(request);
            var latency = Options.Latency;
            if (latency > TimeSpan.Zero)
            {
                int inFlight = Interlocked.Increment(ref _inFlight);
                for (int max = Volatile.Read(ref _maxInFlight); inFlight > max; max = Volatile.Read(ref _maxInFlight))
                {
                    if (Interlocked.CompareExchange(ref _maxInFlight, inFlight, max) == max)
                    {
                        break;
                    }
                }

                try
                {
                    await Task.Delay(latency).ConfigureAwait(false);
                }
                finally
                {
                    Interlocked.Decrement(ref _inFlight);
                }
            }

            return response;
        };

    /// <summary>
    /// Draws whether this request fails (deterministic in <see cref="FakeTenantOptions.FaultSeed"/> and the arrival
    /// number; thread-safe). Faults alternate between a 5xx with an Auth0-style body and an empty 200.
    /// </summary>
    private ResponseMessage? NextInjectedFault()
    {
        double rate = Options.FaultRate;
        if (!(rate > 0))
        {
            return null;
        }

        long draw = Interlocked.Increment(ref _faultDraws);
        ulong h = SplitMix64(unchecked(((ulong)(uint)Options.FaultSeed * 0x9E3779B97F4A7C15UL) + (ulong)draw));
        double u = (h >> 11) * (1.0 / (1UL << 53));
        if (u >= rate)
        {
            return null;
        }

        int n = Interlocked.Increment(ref _injectedFaults);
        if (n % 2 == 0)
        {
            // The connection gives nothing: status line and headers, no body (HttpClient sees an empty 200).
            return new ResponseMessage
            {
                StatusCode = 200,
                FaultType = FaultType.EMPTY_RESPONSE,
                Headers = new Dictionary<string, WireMockList<string>>(StringComparer.OrdinalIgnoreCase),
                BodyData = new BodyData { BodyAsString = string.Empty, DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
            };
        }

        // No x-ratelimit-* headers: the answer comes from in front of the API (like a load balancer's 502).
        var (status, error, message) = InjectedErrors[(int)(h & 0x7FF) % InjectedErrors.Length];
        return Http.Json(status, Http.ApiError(status, error, message));
    }

    private static ulong SplitMix64(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>
    /// The index the user search reads: updates older than <see cref="FakeTenantOptions.SearchIndexLag"/> are applied
    /// lazily here (one merge for all that became due), so a query costs nothing extra while none is due.
    /// </summary>
    private UserIndex SearchIndex()
    {
        long now = Options.Time.GetUtcNow().UtcTicks;
        if (now < Volatile.Read(ref _nextSearchDue))
        {
            return Volatile.Read(ref _searchUsers);
        }

        lock (_usersGate)
        {
            var due = new List<UserEntry>();
            while (_pendingSearch.TryPeek(out var head) && head.VisibleAtTicks <= now)
            {
                due.Add(_pendingSearch.Dequeue().Entry);
            }

            // Once nothing is pending, the search sees exactly the users: share that index (and its caches).
            var search = _pendingSearch.Count == 0 ? _users : _searchUsers.WithUsers(due);
            Volatile.Write(ref _searchUsers, search);
            Volatile.Write(ref _nextSearchDue, _pendingSearch.TryPeek(out var next) ? next.VisibleAtTicks : long.MaxValue);
            return search;
        }
    }

    /// <summary>After an update (under <see cref="_usersGate"/>): at once without lag, else queued for the search.</summary>
    private void PublishToSearch(UserIndex before, UserIndex after, UserEntry updated)
    {
        var lag = Options.SearchIndexLag;
        if (lag <= TimeSpan.Zero && _pendingSearch.Count == 0 && ReferenceEquals(_searchUsers, before))
        {
            Volatile.Write(ref _searchUsers, after);
            return;
        }

        long visibleAt = Options.Time.GetUtcNow().UtcTicks + Math.Max(0, lag.Ticks);
        _pendingSearch.Enqueue(new PendingUpdate(visibleAt, updated));
        if (_pendingSearch.Count == 1)
        {
            Volatile.Write(ref _nextSearchDue, visibleAt);
        }
    }

    /// <summary>After a delete (under <see cref="_usersGate"/>): the search loses the user at once, pending updates too.</summary>
    private void RemoveFromSearch(UserIndex before, UserIndex after, string userId)
    {
        if (ReferenceEquals(_searchUsers, before) && _pendingSearch.Count == 0)
        {
            Volatile.Write(ref _searchUsers, after);
            return;
        }

        var kept = _pendingSearch.Where(p => p.Entry.Id != userId).ToList();
        _pendingSearch.Clear();
        foreach (var p in kept)
        {
            _pendingSearch.Enqueue(p);
        }

        Volatile.Write(ref _searchUsers, kept.Count == 0 ? after : _searchUsers.Without(userId));
        Volatile.Write(ref _nextSearchDue, kept.Count == 0 ? long.MaxValue : kept[0].VisibleAtTicks);
    }

    private sealed record PendingUpdate(long VisibleAtTicks, UserEntry Entry);
}
