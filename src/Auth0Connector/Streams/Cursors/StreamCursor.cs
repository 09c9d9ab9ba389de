using System.Text.Json;

namespace Auth0Connector.Streams.Cursors;

/// <summary>TEMPORARY stub of the framework's cursor (replaced by main's at merge).</summary>
internal abstract class StreamCursor
{
    public abstract string Field { get; }

    public virtual void ValidateState(JsonElement state, DateTimeOffset now)
    {
    }

    public abstract IAsyncEnumerable<StreamItem> ReadAsync(StreamDefinition definition, StreamContext context, CancellationToken cancellationToken);
}
