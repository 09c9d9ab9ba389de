using System.Text.Json;
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
        foreach (var configured in catalog)
        {
            var stream = configured.Stream;
            if (fatal is not null)
            {
                messages.Status(stream.Name, StreamStatus.Incomplete);
                if (progress?.Start(stream.Name) is { } skipped)
                {
                    progress.End(skipped, "INCOMPLETE");
                }

                continue;
            }

            var streamContext = new StreamContext
            {
                Api = services.GetRequiredService<Auth0ApiClient>(),
                Downloads = services.GetRequiredService<IHttpClientFactory>().CreateClient(ConnectorServices.ExportClientName),
                Config = config,
                PageSize = pageSize,
                Time = time,
                Messages = messages,
                Mode = configured.Mode,
                State = configured.Mode == SyncMode.Incremental ? state.For(stream.Name) : null,
            };
            throttle.Attach((waited, until) =>
            {
                messages.Status(stream.Name, StreamStatus.Running, until);
                messages.Log(LogLevel.Info, $"{stream.Name}: waiting for the tenant's rate limit ({waited.TotalSeconds:F1} s spent waiting since the last notice; quota resets at {until:HH:mm:ss} UTC).");
            });
            var streamProgress = progress?.Start(stream.Name);
            var failure = await ReadStreamAsync(stream, streamContext, streamProgress, cancellationToken);
            if (streamProgress is not null)
            {
                progress!.End(streamProgress, failure is null ? "COMPLETE" : "INCOMPLETE");
            }

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

    /// <summary>Every stream ends with a STATE carrying its last records' count, and has been RUNNING (even an empty one: Airbyte expects STARTED, RUNNING, COMPLETE).</summary>
    private static void Complete(string stream, MessageWriter messages, string? lastState, long sinceState, bool running)
    {
        if (lastState is null || sinceState > 0)
        {
            var final = lastState ?? NoCursorState;
            messages.State(stream, w => w.WriteRawValue(final), sinceState);
        }

        if (!running)
        {
            messages.Status(stream, StreamStatus.Running);
        }
    }

    private static async Task<Failure?> ReadStreamAsync(IAuth0Stream stream, StreamContext context, SyncProgress.StreamProgress? progress, CancellationToken cancellationToken)
    {
        var messages = context.Messages;
        messages.Status(stream.Name, StreamStatus.Started);
        var started = context.Time.GetTimestamp();
        long sinceState = 0, total = 0;
        string? lastState = null;
        var running = false;
        try
        {
            await foreach (var item in stream.ReadAsync(context, cancellationToken))
            {
                if (item.IsCheckpoint)
                {
                    // A checkpoint equal to the last one says nothing new; its records count toward the next.
                    if (item.StateJson != lastState)
                    {
                        messages.State(stream.Name, w => w.WriteRawValue(item.StateJson!), sinceState);
                        lastState = item.StateJson;
                        sinceState = 0;
                    }

                    continue;
                }

                if (item.Page is { } page)
                {
                    using (page)
                    {
                        foreach (var record in page.Items.EnumerateArray())
                        {
                            Emit(record, page.Added);
                        }
                    }

                    continue;
                }

                Emit(item.Record, item.Added);
            }

            Complete(stream.Name, messages, lastState, sinceState, running);
            messages.Log(LogLevel.Info, $"{stream.Name}: {total} record{(total == 1 ? string.Empty : "s")} in {context.Time.GetElapsedTime(started).TotalSeconds:F1} s");
            messages.Status(stream.Name, StreamStatus.Complete);
            return null;
        }
        catch (Exception e) when (e is not OutputClosedException && (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            var failure = FailureMapper.Map(e, stream);
            messages.Log(LogLevel.Error, $"{stream.Name}: failed after {total} records: {failure.Message}");
            messages.Error(failure.Type, failure.Message, failure.Detail, stream.Name);
            messages.Status(stream.Name, StreamStatus.Incomplete);
            return failure;
        }

        // The stream is RUNNING from its first record on.
        void Emit(JsonElement record, RecordField[]? added)
        {
            if (!running)
            {
                messages.Status(stream.Name, StreamStatus.Running);
                running = true;
            }

            messages.Record(stream.Name, record, added);
            sinceState++;
            total++;
            progress?.Record();
        }
    }
}
