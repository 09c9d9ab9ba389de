namespace Auth0Connector.Streams;

/// <summary>
/// Reading on would need a request past Auth0's 1000-result cap. Raised instead of silently
/// dropping records.
/// </summary>
internal sealed class ResultCapException(string message) : Exception(message);
