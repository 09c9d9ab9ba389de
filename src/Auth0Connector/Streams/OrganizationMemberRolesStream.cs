using System.Runtime.CompilerServices;
using System.Text.Json;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams;

/// <summary>
/// The roles of every member of every organization, each record tagged with <c>org_id</c> and
/// <c>user_id</c>; one offset-paged listing per member.
/// </summary>
internal sealed class OrganizationMemberRolesStream : IAuth0Stream
{
    public string Name => "organization_member_roles";

    public IReadOnlyList<string> PrimaryKey { get; } = ["org_id", "user_id", "id"];

    public string? CursorField => null;

    public string RequiredScope => "read:organization_member_roles";

    public void ValidateState(JsonElement state)
    {
    }

    public async IAsyncEnumerable<StreamItem> ReadAsync(StreamContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var orgId in OrganizationsStream.ListIdsAsync(context, cancellationToken))
        {
            await foreach (var member in OrganizationMembersStream.ListMembersAsync(context, orgId, cancellationToken))
            {
                if (!member.TryGetProperty("user_id", out var idElement) || idElement.ValueKind != JsonValueKind.String)
                {
                    continue;
                }

                var userId = idElement.GetString()!;
                RecordField[] added = [new("org_id", orgId), new("user_id", userId)];
                var path = $"organizations/{Uri.EscapeDataString(orgId)}/members/{Uri.EscapeDataString(userId)}/roles";
                await foreach (var role in Paginators.OffsetAsync(context.Api, path, "roles", context.PageSize, cancellationToken))
                {
                    yield return StreamItem.Of(role, added);
                }
            }
        }
    }
}
