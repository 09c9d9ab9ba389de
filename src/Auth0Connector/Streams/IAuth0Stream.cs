using System.Text.Json;
using Auth0Connector.Configuration;
using Auth0Connector.Http;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams;

internal enum SyncMode
{
    FullRefresh,
    Incremental,
}

/// <summary>Everything a stream needs to read: the API, settings, its mode and its input state.</summary>
internal sealed class StreamContext
{
    public required Auth0ApiClient Api { get; init; }

    /// <summary>Downloads users-export files (pre-signed URLs: no Authorization header).</summary>
    public HttpClient? Downloads { get; init; }

    public required ConnectorConfig Config { get; init; }

    public required PageSize PageSize { get; init; }

    public required TimeProvider Time { get; init; }

    public required MessageWriter Messages { get; init; }

    public SyncMode Mode { get; init; } = SyncMode.FullRefresh;

    /// <summary>Parent listings shared by the sync's child streams; null: each lists its parents itself.</summary>
    public SharedListings? Listings { get; init; }

    /// <summary>The stream's state from the previous sync (incremental only), if any.</summary>
    public JsonElement? State { get; init; }

    /// <summary>The scopes the access token carries, when it says (then no request is sent for a scope it lacks).</summary>
    public IReadOnlySet<string>? GrantedScopes { get; init; }
}

/// <summary>One Auth0 stream: its catalog facts and how to read it.</summary>
internal interface IAuth0Stream
{
    string Name { get; }

    /// <summary>Primary key as Airbyte field paths (each key is a path of one field here).</summary>
    IReadOnlyList<string> PrimaryKey { get; }

    /// <summary>The cursor field for incremental sync, or null for full-refresh-only streams.</summary>
    string? CursorField { get; }

    /// <summary>The Management API scopes the stream needs, all of them.</summary>
    IReadOnlyList<string> RequiredScopes { get; }

    /// <summary>The endpoint it reads, as README's stream table shows it (e.g. <c>GET /api/v2/clients</c>).</summary>
    string Endpoint { get; }

    /// <summary>The fields its states hold beside <see cref="CursorField"/> (a state of only these is one it wrote).</summary>
    IReadOnlyList<string> StateFields => [];

    /// <summary>Rejects a malformed input state before anything is read (throws ConfigException).</summary>
    void ValidateState(JsonElement state);

    IAsyncEnumerable<StreamItem> ReadAsync(StreamContext context, CancellationToken cancellationToken);
}
