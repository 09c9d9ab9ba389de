using Microsoft.Extensions.DependencyInjection;

namespace Auth0Connector.Cli;

/// <summary>Where a run writes and what it runs on; tests swap in their own streams, clock and services.</summary>
internal sealed class ConnectorEnvironment
{
    public required Stream Stdout { get; init; }

    public required TextWriter Stderr { get; init; }

    /// <summary>Opens standard input (<c>--config -</c>); tests give their own.</summary>
    public Func<Stream> Stdin { get; init; } = Console.OpenStandardInput;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Whether stderr is a terminal: read then shows a live progress line there.</summary>
    public bool StderrIsTerminal { get; init; }

    /// <summary>Hook to replace services (e.g. HTTP handlers) in tests.</summary>
    public Action<IServiceCollection>? CustomizeServices { get; init; }
}
