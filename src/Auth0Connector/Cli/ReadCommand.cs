using System.Text.Json;
using Auth0Connector.Auth;
using Auth0Connector.Http;
using Auth0Connector.Protocol;
using Auth0Connector.State;
using Auth0Connector.Streams;
using Microsoft.Extensions.DependencyInjection;

namespace Auth0Connector.Cli;

/// <summary>
/// <c>read</c>: runs the configured streams one after another. Each gets STARTED, RUNNING (with
/// its first record), then COMPLETE or INCOMPLETE; STATE messages count the records since the
/// stream's previous STATE. A failing stream does not stop the others, unless the credentials
/// themselves failed.
/// </summary>
internal static class ReadCommand
{
    /// <summary>Full-refresh streams have no cursor; this marker is what Airbyte's CDK writes for them.</summary>
    internal const string NoCursorState = "{\"__ab_no_cursor_state_message\":true}";

    /// <summary>Which streams to read: a configured catalog file, a list of names, or (neither) every stream.</summary>
    internal sealed record Selection(string? CatalogPath, string? StreamNames);

    public static async Task<int> RunAsync(string configPath, Selection selection, string? statePath, CommandContext context, CancellationToken cancellationToken)
    {
        // Everything the user supplied is validated before the first request.
        var config = context.LoadConfig(configPath);
        var registry = new StreamRegistry();
        var catalog = Select(selection, registry);
        using var state = statePath is null ? InputState.Empty : InputState.Load(statePath);
        foreach (var configured in catalog)
        {
            if (configured.Mode == SyncMode.Incremental && state.For(configured.Stream.Name) is { } streamState)
            {
                configured.Stream.ValidateState(streamState, context.Environment.Time.GetUtcNow());
            }
        }

        // Nothing in the state is ignored silently: what it does not cover is read again, and said so.
        var selected = catalog.Select(c => (c.Stream.Name, c.Mode == SyncMode.Incremental ? c.Stream.CursorField : null)).ToList();
        foreach (var warning in state.Warnings(selected, registry.All.Select(s => s.Name).ToList()))
        {
            context.Messages.Log(LogLevel.Warn, warning);
        }

        var time = context.Environment.Time;
        await using var services = ConnectorServices.Build(config, time, context.Log, context.Redactor, context.Environment.CustomizeServices);
        var messages = context.Messages;
        var pageSize = new PageSize(config.PageSize);
        var throttle = services.GetRequiredService<ThrottleMonitor>();
        var requests = services.GetRequiredService<RequestCounter>();
        using var progress = context.Quiet ? null : new SyncProgress(context.Environment.Stderr, context.Environment.StderrIsTerminal, time, () => requests.Count, () => throttle.TotalWait);
        var failed = false;
        Failure? fatal = null;
        var tokens = services.GetRequiredService<ITokenSource>();
        foreach (var unit in Units(catalog))
        {
            if (fatal is not null)
            {
                unit.ForEach(c => StreamRun.Skip(c.Stream, messages, progress));
                continue;
            }

            var configured = unit[0];
            var streamContext = new StreamContext
            {
                Api = services.GetRequiredService<Auth0ApiClient>(),
                Downloads = services.GetRequiredService<IHttpClientFactory>().CreateClient(ConnectorServices.ExportClientName),
                Config = config,
                PageSize = pageSize,
                Time = time,
                Messages = messages,
                Mode = configured.Mode,
                State = configured.Mode == SyncMode.Incremental ? state.For(configured.Stream.Name) : null,
            };
            var names = string.Join(" and ", unit.Select(c => c.Stream.Name));
            throttle.Attach((waited, until) =>
            {
                unit.ForEach(c => messages.Status(c.Stream.Name, StreamStatus.Running, until));
                messages.Log(LogLevel.Info, $"{names}: waiting for the tenant's rate limit ({waited.TotalSeconds:F1} s spent waiting since the last notice; quota resets at {until:HH:mm:ss} UTC).");
            });
            var failure = unit.Count == 1
                ? await StreamRun.ReadAsync([configured.Stream], StreamRun.Only(configured.Stream, streamContext, cancellationToken), messages, progress, time, cancellationToken)
                : await ReadTogetherAsync(unit, streamContext, tokens, progress, cancellationToken);
            if (failure is not null)
            {
                failed = true;
                fatal = failure.StopsSync ? failure : null;
            }
        }

        messages.Flush();
        progress?.WriteSummary(catalog.Select(c => c.Stream.Name));
        return failed ? 1 : 0;
    }

    /// <summary>The streams to read: the catalog file's, the named ones, or every stream; incremental where supported unless a catalog says otherwise.</summary>
    internal static IReadOnlyList<ConfiguredStream> Select(Selection selection, StreamRegistry registry)
    {
        if (selection.CatalogPath is { } path)
        {
            return ConfiguredCatalog.Load(path, registry);
        }

        var streams = selection.StreamNames is not { } names ? registry.All : ParseNames(names, registry);
        return [.. streams.Select(s => new ConfiguredStream(s, s.CursorField is null ? SyncMode.FullRefresh : SyncMode.Incremental))];
    }

    private static List<IAuth0Stream> ParseNames(string names, StreamRegistry registry)
    {
        var selected = new List<IAuth0Stream>();
        foreach (var name in names.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var stream = registry.Find(name);
            if (stream is null)
            {
                var known = registry.All.Select(s => s.Name).ToList();
                var suggestion = ConfigKeyCheck.Closest(name, known);
                throw new Configuration.ConfigException("--streams", $"'--streams' names '{name}', which is not a stream of this connector"
                    + (suggestion is null ? string.Empty : $" (did you mean '{suggestion}'?)") + $"; the streams are {string.Join(", ", known)}.");
            }

            if (!selected.Contains(stream))
            {
                selected.Add(stream);
            }
        }

        return selected.Count > 0 ? selected
            : throw new Configuration.ConfigException("--streams", "'--streams' names no stream; give one or more, comma-separated, e.g. --streams users,clients.");
    }

    /// <summary>
    /// The catalog's streams in read order, grouped where one walk serves several: members and
    /// member roles (full refresh only, both) are read together, as [members, member roles], at the
    /// place of the first of them.
    /// </summary>
    internal static List<List<ConfiguredStream>> Units(IReadOnlyList<ConfiguredStream> catalog)
    {
        var members = catalog.FirstOrDefault(c => c.Stream.Name == "organization_members");
        var roles = catalog.FirstOrDefault(c => c.Stream.Name == "organization_member_roles");
        var units = new List<List<ConfiguredStream>>();
        var joined = false;
        foreach (var configured in catalog)
        {
            if (members is not null && roles is not null && (configured == members || configured == roles))
            {
                if (!joined)
                {
                    units.Add([members, roles]);
                    joined = true;
                }

                continue;
            }

            units.Add([configured]);
        }

        return units;
    }

    /// <summary>
    /// Members and member roles from one walk when it gives both exactly what their own walks would
    /// (see <see cref="MembersWithRoles"/>); otherwise one after the other, each failing alone.
    /// </summary>
    private static async Task<Failure?> ReadTogetherAsync(List<ConfiguredStream> unit, StreamContext context, ITokenSource tokens, SyncProgress? progress, CancellationToken cancellationToken)
    {
        IAuth0Stream[] streams = [unit[0].Stream, unit[1].Stream];
        MembersWithRoles? walk;
        try
        {
            await tokens.GetTokenAsync(cancellationToken);
            walk = await MembersWithRoles.TryPlanAsync(context, tokens.GrantedScopes, cancellationToken);
        }
        catch (Exception e) when (e is not OutputClosedException && (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            // Neither stream can be read: both say why.
            return await StreamRun.ReadAsync(streams, Failing<(int, StreamItem)>(e), context.Messages, progress, context.Time, cancellationToken);
        }

        if (walk is null)
        {
            return await SeparatelyAsync(streams, context, progress, cancellationToken);
        }

        await using (walk)
        {
            // The first page tells whether the tenant really serves roles with the members listing
            // (a token claiming a scope is not the tenant granting it): if not, each stream walks on
            // its own and only member roles fails. The unit is [members, member roles], as the walk's indexes.
            var items = walk.ReadAsync(context, cancellationToken).GetAsyncEnumerator(cancellationToken);
            bool any;
            try
            {
                any = await items.MoveNextAsync();
            }
            catch (Auth0ApiException e) when (ErrorResolution.For(e) == ErrorAction.MissingScope)
            {
                await items.DisposeAsync();
                context.Messages.Log(LogLevel.Warn, $"organization_member_roles: the tenant refused the members listing with roles ({e.Message}); reading members and member roles in separate walks.");
                return await SeparatelyAsync(streams, context, progress, cancellationToken);
            }
            catch (Exception e) when (e is not OutputClosedException && (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
            {
                await items.DisposeAsync();
                return await StreamRun.ReadAsync(streams, Failing<(int, StreamItem)>(e), context.Messages, progress, context.Time, cancellationToken);
            }

            return await StreamRun.ReadAsync(streams, AsyncSequences.FromCurrent(items, any), context.Messages, progress, context.Time, cancellationToken);
        }
    }

    /// <summary>Members, then member roles, each on its own walk and failing alone (a failure that stops the sync skips the second).</summary>
    private static async Task<Failure?> SeparatelyAsync(IAuth0Stream[] streams, StreamContext context, SyncProgress? progress, CancellationToken cancellationToken)
    {
        var first = await StreamRun.ReadAsync([streams[0]], StreamRun.Only(streams[0], context, cancellationToken), context.Messages, progress, context.Time, cancellationToken);
        if (first?.StopsSync == true)
        {
            StreamRun.Skip(streams[1], context.Messages, progress);
            return first;
        }

        return await StreamRun.ReadAsync([streams[1]], StreamRun.Only(streams[1], context, cancellationToken), context.Messages, progress, context.Time, cancellationToken) ?? first;
    }

#pragma warning disable CS1998 // An iterator that only throws: the failure surfaces where items are read.
    private static async IAsyncEnumerable<T> Failing<T>(Exception error)
    {
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        yield break;
    }
#pragma warning restore CS1998
}
