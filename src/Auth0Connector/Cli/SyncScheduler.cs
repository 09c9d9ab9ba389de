using Auth0Connector.Auth;
using Auth0Connector.Configuration;
using Auth0Connector.Http;
using Auth0Connector.Protocol;
using Auth0Connector.State;
using Auth0Connector.Streams;
using Microsoft.Extensions.DependencyInjection;

namespace Auth0Connector.Cli;

/// <summary>
/// Keeps every rate-limit bucket busy: the read's units (a stream, or streams one walk serves) are put in one lane
/// per endpoint group of the requests they send most (<see cref="EndpointGroups"/>), the lanes run side by side,
/// and each lane reads its units one after another. A sync then takes about as long as its slowest bucket allows,
/// not the sum of them; <c>max_concurrency</c> still bounds the requests in flight (the rate gate's slots), and
/// records of different streams interleave on stdout while each stream's own messages stay in order.
/// </summary>
internal sealed class SyncScheduler(ServiceProvider services, ConnectorConfig config, InputState state, MessageWriter messages, SyncProgress? progress, TimeProvider time)
{
    // A page size the tenant turns out to serve silently is said in the LOG and with --debug.
    private readonly PageSize _pageSize = new(config.PageSize, learned =>
    {
        services.GetRequiredService<DiagnosticLog>().Debug(learned);
        messages.Log(LogLevel.Info, learned);
    });
    private SharedListings? _listings;
    private readonly ITokenSource _tokens = services.GetRequiredService<ITokenSource>();
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _firstUnitDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _failed;
    private Failure? _fatal;
    private Exception? _tokenFailure;

    /// <summary>Reads every unit; true when any stream did not complete.</summary>
    public async Task<bool> RunAsync(List<List<ConfiguredStream>> units, CancellationToken cancellationToken)
    {
        if (units.Count == 0)
        {
            return false;
        }

        // One token for the whole run, fetched before the lanes start (its request counts with the first stream):
        // its scopes tell which streams cannot be read, before any of their requests.
        _listings = new SharedListings(cancellationToken);
        var first = new RequestScope();
        await FetchTokenAsync(first, cancellationToken);
        // The other lanes start once the tenant has accepted the credentials (a first successful answer) or the
        // first stream has ended: credentials it refuses fail one stream, not one per lane.
        var accepted = Task.WhenAny(services.GetRequiredService<RateGate>().FirstSuccess, _firstUnitDone.Task);
        var lanes = units.Select((unit, index) => (unit, index)).GroupBy(u => LaneOf(u.unit)).ToList();
        await Task.WhenAll(lanes.Select(lane => Task.Run(
            async () =>
            {
                var work = lane.Select(u => (u.unit, u.index == 0 ? first : new RequestScope(), u.index == 0)).ToList();
                if (!work[0].Item3)
                {
                    await accepted;
                }

                await RunLaneAsync(work, cancellationToken);
            },
            CancellationToken.None)));
        return _failed;
    }

    /// <summary>The endpoint group a unit's own listing falls in (its children's, for a child stream).</summary>
    internal static EndpointGroup LaneOf(List<ConfiguredStream> unit)
    {
        var endpoint = unit[0].Stream.Endpoint;
        var path = endpoint.StartsWith("GET /api/v2/", StringComparison.Ordinal) ? endpoint[12..] : endpoint;
        return EndpointGroups.Of(HttpMethod.Get, path.Replace("{id}", "x", StringComparison.Ordinal).Replace("{user_id}", "x", StringComparison.Ordinal));
    }

    private async Task FetchTokenAsync(RequestScope scope, CancellationToken cancellationToken)
    {
        RequestScope.Current = scope;
        try
        {
            await _tokens.GetTokenAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OutputClosedException && (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            // The first unit reports it as its failure (it stops the sync), exactly as if its first request had failed.
            _tokenFailure = e;
        }
        finally
        {
            RequestScope.Current = null;
        }
    }

    private async Task RunLaneAsync(List<(List<ConfiguredStream> Unit, RequestScope Scope, bool First)> lane, CancellationToken cancellationToken)
    {
        foreach (var (unit, scope, isFirst) in lane)
        {
            Failure? fatal;
            lock (_gate)
            {
                fatal = _fatal;
            }

            if (fatal is not null)
            {
                unit.ForEach(c => StreamRun.Skip(c.Stream, messages, progress));
                if (isFirst)
                {
                    _firstUnitDone.TrySetResult();
                }

                continue;
            }

            RequestScope.Current = scope;
            Failure? failure = null;
            try
            {
                failure = await ReadUnitAsync(unit, scope, cancellationToken);
            }
            finally
            {
                RequestScope.Current = null;
                // The failure is recorded before the other lanes may start: a first unit that stops the sync (credentials
                // refused) must be seen by them, or each sends its own doomed request.
                if (failure is not null)
                {
                    lock (_gate)
                    {
                        _failed = true;
                        _fatal ??= failure.StopsSync ? failure : null;
                    }
                }

                if (isFirst)
                {
                    _firstUnitDone.TrySetResult();
                }
            }
        }
    }

    private async Task<Failure?> ReadUnitAsync(List<ConfiguredStream> unit, RequestScope scope, CancellationToken cancellationToken)
    {
        IAuth0Stream[] streams = [.. unit.Select(c => c.Stream)];
        if (Interlocked.Exchange(ref _tokenFailure, null) is { } tokenFailure)
        {
            return await StreamRun.ReadAsync(streams, StreamRun.Failing(tokenFailure), messages, progress, time, scope, cancellationToken);
        }

        if (unit.Count == 1 && KnownMissingScope(unit[0].Stream, _tokens) is { } missing)
        {
            return await StreamRun.ReadAsync(streams, StreamRun.Failing(missing), messages, progress, time, scope, cancellationToken);
        }

        var configured = unit[0];
        var context = new StreamContext
        {
            Api = services.GetRequiredService<Auth0ApiClient>(),
            Downloads = services.GetRequiredService<IHttpClientFactory>().CreateClient(ConnectorServices.ExportClientName),
            Config = config,
            PageSize = _pageSize,
            Time = time,
            Messages = messages,
            Listings = _listings,
            Mode = configured.Mode,
            State = configured.Mode == SyncMode.Incremental ? state.For(configured.Stream.Name) : null,
            GrantedScopes = _tokens.GrantedScopes,
        };
        return unit.Count == 1
            ? await StreamRun.ReadAsync(streams, StreamRun.Only(configured.Stream, context, cancellationToken), messages, progress, time, scope, cancellationToken)
            : await JointRead.ReadAsync(streams, context, _tokens, progress, scope, cancellationToken);
    }

    /// <summary>
    /// The failure of a stream whose scopes the token is known to lack (null when it has them, or does not say):
    /// the tenant would answer its first request with 403 <c>insufficient_scope</c>, so that request is not sent.
    /// </summary>
    internal static Auth0ApiException? KnownMissingScope(IAuth0Stream stream, ITokenSource tokens)
    {
        if (tokens.GrantedScopes is not { } granted || stream.RequiredScopes.Where(s => !granted.Contains(s)).ToList() is not { Count: > 0 } missing)
        {
            return null;
        }

        var path = stream.Endpoint.StartsWith("GET ", StringComparison.Ordinal) ? stream.Endpoint[4..] : stream.Endpoint;
        return new Auth0ApiException(System.Net.HttpStatusCode.Forbidden, "insufficient_scope",
            $"The access token does not carry {string.Join(" or ", missing)} (its scopes: {string.Join(' ', granted.Order(StringComparer.Ordinal))}), so no request was sent.", path);
    }
}
