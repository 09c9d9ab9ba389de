using System.Text.Json;
using Auth0Connector.Streams.Cursors;

namespace Auth0Connector.Streams;

/// <summary>Users (<c>GET /api/v2/users</c>, search engine v3), read by <see cref="UsersCursor"/>.</summary>
internal sealed class UsersStream : IAuth0Stream
{
    private readonly UsersCursor _cursor = new();

    public string Name => "users";

    public IReadOnlyList<string> PrimaryKey { get; } = ["user_id"];

    public string? CursorField => _cursor.Field;

    public IReadOnlyList<string> RequiredScopes { get; } = ["read:users"];

    public string Endpoint => "GET /api/v2/users";

    public void ValidateState(JsonElement state, DateTimeOffset now) => _cursor.ValidateState(state, now);

    public IAsyncEnumerable<StreamItem> ReadAsync(StreamContext context, CancellationToken cancellationToken) => _cursor.ReadAsync(context, cancellationToken);
}
