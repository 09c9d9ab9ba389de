using System.Text.Json;

namespace Auth0Connector.Foundation;

/// <summary>
/// How every body from a server (API pages, export lines, token answers) is parsed. Records pass
/// through however deep they nest: JsonDocument's default of 64 levels would fail a stream on
/// every sync because of one user's deeply nested metadata. Parsing is not recursive, and the
/// body-size cap bounds the memory a deep document can take.
/// </summary>
internal static class ServerJson
{
    /// <summary>Far beyond any real record; deep enough that nesting never fails a stream.</summary>
    public const int MaxDepth = 100_000;

    public static readonly JsonDocumentOptions Options = new() { MaxDepth = MaxDepth };
}
