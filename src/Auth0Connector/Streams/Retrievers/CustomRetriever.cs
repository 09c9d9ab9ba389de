namespace Auth0Connector.Streams.Retrievers;

/// <summary>
/// A stream's own way of reading (the declarative CDK's custom retriever), for what a paginator and
/// a partition router cannot say: <c>organization_member_roles</c> reads the roles with the members
/// listing and a role catalog, or per member. When a <see cref="StreamDefinition"/> has one,
/// <see cref="DefinedStream"/> hands the read to it.
/// </summary>
internal abstract class CustomRetriever
{
    public abstract IAsyncEnumerable<StreamItem> ReadAsync(StreamDefinition definition, StreamContext context, CancellationToken cancellationToken);
}
