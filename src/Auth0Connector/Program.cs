using Auth0Connector.Cli;

// stdout carries only protocol messages; buffer it, the writer flushes at every non-record message.
// It reports a broken pipe (see StandardOutput), which stops the run.
var stdout = new BufferedStream(StandardOutput.Open(), 1 << 16);
try
{
    return await ConnectorApp.RunAsync(args, new ConnectorEnvironment { Stdout = stdout, Stderr = Console.Error, StderrIsTerminal = !Console.IsErrorRedirected });
}
catch (Exception e)
{
    // Nothing escapes the commands; should anything still, it ends as a failure, never an abort.
    await Console.Error.WriteLineAsync($"auth0-connector: unexpected error: {e.GetType().Name}");
    return 1;
}
finally
{
    try
    {
        // Disposed synchronously: an async flush at exit would start thread-pool threads just to end (~2 ms).
        stdout.Dispose();
    }
    catch (IOException)
    {
        // stdout's reader is gone; the run has already said so on stderr and exits non-zero.
    }
}
