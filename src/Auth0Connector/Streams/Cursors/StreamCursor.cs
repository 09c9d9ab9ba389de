using System.Text.Json;

namespace Auth0Connector.Streams.Cursors;

/// <summary>
/// An incremental stream's cursor (the declarative CDK's noun): which record field it follows, what
/// a saved state may hold, and how the stream is read from that state. When a
/// <see cref="StreamDefinition"/> has one, <see cref="DefinedStream"/> hands the whole read to it
/// (a full refresh too: <see cref="StreamContext.Mode"/> and <see cref="StreamContext.State"/> tell
/// which). It yields pages (<see cref="StreamItem.Of(JsonPage)"/>) and checkpoints
/// (<see cref="StreamItem.Checkpoint"/>), each checkpoint a state from which a restarted sync loses
/// and repeats nothing it has delivered.
/// </summary>
internal abstract class StreamCursor
{
    /// <summary>The record field the cursor follows (the catalog's <c>default_cursor_field</c>).</summary>
    public abstract string Field { get; }

    /// <summary>The fields its states hold beside <see cref="Field"/>: a state of only these is one it wrote.</summary>
    public virtual IReadOnlyList<string> StateFields => [];

    /// <summary>
    /// Rejects a malformed saved state before anything is read (throws <see cref="Configuration.ConfigException"/>).
    /// A well-formed one after the sync's start is not refused: the read keeps it unread (<see cref="SavedCursor"/>).
    /// </summary>
    public virtual void ValidateState(JsonElement state)
    {
    }

    public abstract IAsyncEnumerable<StreamItem> ReadAsync(StreamDefinition definition, StreamContext context, CancellationToken cancellationToken);
}
