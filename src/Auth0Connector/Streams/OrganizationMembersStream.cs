using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Auth0Connector.Http;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams;

/// <summary>Members of every organization, checkpoint-paged, each record tagged with its <c>org_id</c>.</summary>
internal sealed class OrganizationMembersStream : IAuth0Stream
{
    public string Name => "organization_members";

    public IReadOnlyList<string> PrimaryKey { get; } = ["org_id", "user_id"];

    public string? CursorField => null;

    public string RequiredScope => "read:organization_members";

    public void ValidateState(JsonElement state)
    {
    }

    public async IAsyncEnumerable<StreamItem> ReadAsync(StreamContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var orgId in OrganizationsStream.ListIdsAsync(context, cancellationToken))
        {
            RecordField[] added = [new("org_id", orgId)];
            await foreach (var member in ListMembersAsync(context, orgId, cancellationToken))
            {
                yield return StreamItem.Of(member, added);
            }
        }
    }

    /// <summary>
    /// An organization's members. One deleted between listing and reading (404) has none: it is
    /// skipped with a warning rather than failing the stream.
    /// </summary>
    public static async IAsyncEnumerable<JsonElement> ListMembersAsync(StreamContext context, string orgId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var path = $"organizations/{Uri.EscapeDataString(orgId)}/members";
        await using var members = Paginators.CheckpointAsync(context.Api, path, "members", context.PageSize, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await members.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (Auth0ApiException e) when (e.Status == HttpStatusCode.NotFound)
            {
                context.Messages.Log(LogLevel.Warn, $"Organization {orgId} disappeared while reading its members (HTTP 404); skipped.");
                yield break;
            }

            yield return members.Current;
        }
    }
}
