namespace Auth0Connector.Protocol;

/// <summary>stdout's reader went away (a broken pipe): nothing more can be reported, the run stops.</summary>
internal sealed class OutputClosedException(Exception cause)
    : IOException($"stdout was closed by its reader ({cause.Message}); the connector stopped.", cause);
