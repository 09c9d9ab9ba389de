using Auth0Connector.Streams.Cursors;
using Auth0Connector.Streams.Retrievers;

namespace Auth0Connector.Streams;

/// <summary>How a listing is paged (Auth0's strategies; see <see cref="Paginators"/>).</summary>
internal enum PaginatorKind
{
    /// <summary><c>page</c>/<c>per_page</c>, up to the 1000-result cap.</summary>
    Offset,

    /// <summary><c>take</c>/<c>from</c>/<c>next</c>: any length.</summary>
    Checkpoint,

    /// <summary>Offset while the listing's total is within offset paging's reach, checkpoint beyond it (one cheap count first).</summary>
    OffsetThenCheckpoint,

    /// <summary>One request, no paging parameters: a bare array, an envelope's array, or one object (one record).</summary>
    Single,
}

/// <summary>
/// A child stream's parents: the records of <paramref name="Parent"/>, each read for its
/// <paramref name="ParentKey"/>, which fills <c>{id}</c> in the child's path and is added to every
/// child row as <paramref name="AddedField"/> (null: the rows already carry their parent's id, and are
/// passed on untouched). Parents are read <c>max_concurrency</c> at a time; a parent deleted since it
/// was listed (404) is skipped with a warning.
/// </summary>
internal sealed record PartitionRouter(StreamDefinition Parent, string ParentKey, string? AddedField);

/// <summary>
/// A stream as data, in the vocabulary of Airbyte's declarative CDK: what it is (name, primary key,
/// scope, endpoint) and how it is read (path, record selector, paginator, parent router). One small
/// file per stream (see <c>Streams/Definitions</c>); <see cref="DefinedStream"/> reads any of them.
/// </summary>
internal sealed record StreamDefinition
{
    public required string Name { get; init; }

    /// <summary>Primary key fields; never empty (a stream of one row keys it by <see cref="TenantField"/>).</summary>
    public required IReadOnlyList<string> PrimaryKey { get; init; }

    /// <summary>
    /// A field the connector adds to every record: the tenant's domain (<c>base_url</c>'s host), for a
    /// stream whose records carry no id of their own (tenant settings: one row per tenant). Null: none added.
    /// </summary>
    public string? TenantField { get; init; }

    /// <summary>The Management API scopes the stream needs, all of them.</summary>
    public required IReadOnlyList<string> Scopes { get; init; }

    /// <summary>The API path under <c>/api/v2/</c>; <c>{id}</c> is the parent's id (escaped as one segment).</summary>
    public required string Path { get; init; }

    /// <summary>
    /// The record selector: the envelope's list property (a bare array is read as is). Null: the
    /// answer is a bare array, or (<see cref="PaginatorKind.Single"/> with <see cref="OneObject"/>) one object that is the record.
    /// </summary>
    public required string? RecordsProperty { get; init; }

    /// <summary>
    /// The <see cref="PaginatorKind.Single"/> answer is one object, the stream's only record (tenant settings).
    /// Otherwise it must be a listing: an object answering a listing, or an array answering a one-object
    /// endpoint, fails the stream instead of being emitted as records.
    /// </summary>
    public bool OneObject { get; init; }

    public required PaginatorKind Paginator { get; init; }

    public PartitionRouter? Parent { get; init; }

    /// <summary>The incremental cursor; null for a full-refresh-only stream.</summary>
    public StreamCursor? Cursor { get; init; }

    /// <summary>The stream's own way of reading, where the paginator and router cannot say it (see <see cref="CustomRetriever"/>).</summary>
    public CustomRetriever? Retriever { get; init; }

    /// <summary>
    /// The endpoint takes <c>fields</c>/<c>include_fields</c>, so a probe or a count can ask for the
    /// key alone. Auth0 refuses query parameters an endpoint does not declare, so only where it does.
    /// </summary>
    public bool Projects { get; init; }

    /// <summary>Offset paging asks for <c>include_totals</c> (false where the endpoint does not declare it and always sends its total).</summary>
    public bool AsksTotals { get; init; } = true;

    /// <summary>
    /// The path and query <c>check</c> sends to prove the scopes, when <see cref="DefinedStream.ProbePath"/>'s
    /// default does not suit the endpoint (e.g. it takes no <c>fields</c>); <c>{id}</c> is the parent's id, as in <see cref="Path"/>.
    /// </summary>
    public string? Probe { get; init; }

    /// <summary>As README's stream table shows it.</summary>
    public string Endpoint => $"GET /api/v2/{Path}";
}
