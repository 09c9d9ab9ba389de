using Auth0Connector.Cli;

// stdout carries only protocol messages; buffer it, the writer flushes at every non-record message.
// Disposed synchronously: an async flush at exit would start thread-pool threads just to end (~2 ms).
using var stdout = new BufferedStream(Console.OpenStandardOutput(), 1 << 16);
return await ConnectorApp.RunAsync(args, new ConnectorEnvironment { Stdout = stdout, Stderr = Console.Error, StderrIsTerminal = !Console.IsErrorRedirected });
