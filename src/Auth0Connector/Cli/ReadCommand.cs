using System.Text.Json;
using Auth0Connector.Auth;
using Auth0Connector.Foundation;
using Auth0Connector.Http;
using Auth0Connector.Protocol;
using Auth0Connector.State;
using Auth0Connector.Streams;
using Microsoft.Extensions.DependencyInjection;

namespace Auth0Connector.Cli;

/// <summary>
/// <c>read</c>: validates the config, catalog and state, then hands the streams to the <see cref="SyncScheduler"/>,
/// which reads those of different rate-limit buckets side by side. Each stream gets STARTED, RUNNING (with its
/// first record), then COMPLETE or INCOMPLETE; STATE messages count the records since the stream's previous STATE.
/// A failing stream does not stop the others, unless the credentials themselves failed.
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
                configured.Stream.ValidateState(streamState);
            }
        }

        // Nothing in the state is ignored silently: what it does not cover is read again, and said so.
        var selected = catalog.Select(c => (c.Stream.Name, c.Mode == SyncMode.Incremental ? c.Stream.CursorField : null)).ToList();
        foreach (var warning in state.Warnings(selected, registry.All.Select(s => s.Name).ToList(), name => registry.Find(name)?.StateFields ?? []))
        {
            context.Messages.Log(LogLevel.Warn, warning);
        }

        var time = context.Environment.Time;
        await using var services = ConnectorServices.Build(config, time, context.Log, context.Redactor, context.Environment.CustomizeServices);
        var throttle = services.GetRequiredService<ThrottleMonitor>();
        var requests = services.GetRequiredService<RequestCounter>();
        var gate = services.GetRequiredService<RateGate>();
        using var progress = context.Quiet ? null : new SyncProgress(context.Environment.Stderr, context.Environment.StderrIsTerminal, time, () => requests.Count, () => throttle.TotalWait);
        var scheduler = new SyncScheduler(services, config, state, context.Messages, progress, time);
        var failed = await scheduler.RunAsync(Units(catalog), cancellationToken);
        context.Messages.Flush();
        progress?.WriteSummary(catalog.Select(c => c.Stream.Name), gate.Report());
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
}
