using System.Runtime.CompilerServices;
using System.Text.Json;
using Auth0Connector.Foundation;
using Auth0Connector.Http;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams.Retrievers;

/// <summary>
/// How <c>organization_member_roles</c> is read: the roles of every member of every organization,
/// each record tagged with <c>org_id</c> and <c>user_id</c>, shaped as Auth0's per-member endpoint
/// returns them (<c>id, name, description</c>).
/// </summary>
/// <remarks>
/// Request economy: the members listing can carry each member's roles (<c>fields=user_id,roles</c>),
/// and one listing of the role catalog (<c>GET /roles</c>, scope <c>read:roles</c>) supplies their
/// descriptions, so an organization costs a request per 100 members instead of one per member.
/// Without <c>read:roles</c> (or with more than 1000 roles) it falls back to the per-member endpoint.
/// </remarks>
internal sealed class MemberRolesRetriever : CustomRetriever
{
    public override async IAsyncEnumerable<StreamItem> ReadAsync(StreamDefinition definition, StreamContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var catalog = await RoleCatalog.TryLoadAsync(context, warn: true, cancellationToken);
        if (catalog is not null)
        {
            var pages = FanOut.PagesAsync(
                OrganizationIdsAsync(context, cancellationToken),
                (orgId, token) => DefinedStream.ChildPagesAsync(Members, context, orgId, token, ("fields", "user_id,roles"), ("include_fields", true)),
                context.Config.MaxConcurrency,
                cancellationToken);
            await foreach (var page in pages)
            {
                using (page)
                {
                    foreach (var item in RolesOfMembers(page, catalog))
                    {
                        yield return item;
                    }
                }
            }

            yield break;
        }

        var tally = new ListingTally();
        var perMember = FanOut.PagesAsync(
            MembersAsync(context, cancellationToken),
            (member, token) => RolePagesAsync(context, member.OrgId, member.UserId, tally, token),
            context.Config.MaxConcurrency,
            cancellationToken);
        await foreach (var page in perMember)
        {
            yield return StreamItem.Of(page);
        }

        if (tally.Result is { } reconciliation)
        {
            yield return StreamItem.Reconciled(reconciliation);
        }
    }

    private static StreamDefinition Members => Definitions.OrganizationMembers.Definition;

    /// <summary>The per-member endpoint (the definition's path): <c>organizations/{id}/members/{user_id}/roles</c>, each id one segment.</summary>
    public static string RolesPath(string orgId, string userId) => ApiPath.Of("organizations", orgId, "members", userId, "roles");

    private static IAsyncEnumerable<string> OrganizationIdsAsync(StreamContext context, CancellationToken cancellationToken) =>
        DefinedStream.IdsAsync(Definitions.Organizations.Definition, "id", context, cancellationToken);

    /// <summary>The member-roles rows of a members page read with <c>fields=...,roles</c>: one per role of each member, tagged with <c>org_id</c> and <c>user_id</c>.</summary>
    public static IEnumerable<StreamItem> RolesOfMembers(JsonPage page, RoleCatalog catalog)
    {
        var orgId = page.Added![0].Value!;
        foreach (var member in page.Items.EnumerateArray())
        {
            var userId = UserIdOf(member, orgId);
            if (!member.TryGetProperty("roles", out var roles) || roles.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            RecordField[] added = [new("org_id", orgId), new("user_id", userId)];
            var index = 0;
            foreach (var role in roles.EnumerateArray())
            {
                // The endpoint's name is composed only for a row that fails: this runs for every role.
                if (role.ValueKind != JsonValueKind.Object)
                {
                    RecordRows.RequireObject(role, $"{Auth0ApiClient.PathOf(ApiPath.Of("organizations", orgId, "members"))} (roles of {userId})", index);
                }

                index++;
                // The catalog's entry has the description; a role created since is passed as listed.
                yield return StreamItem.Of(catalog.Find(role) ?? role, added);
            }
        }
    }

    /// <summary>A member's <c>user_id</c>; a member without one fails the stream rather than silently lose its roles.</summary>
    private static string UserIdOf(JsonElement member, string orgId) =>
        member.StringProperty("user_id") is { Length: > 0 } userId ? userId
        : throw new InvalidDataException($"{Auth0ApiClient.PathOf(ApiPath.Of("organizations", orgId, "members"))} answered a member without a 'user_id' (a non-empty string); the stream stops rather than leave that member's roles out.");

    private static async IAsyncEnumerable<(string OrgId, string UserId)> MembersAsync(StreamContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var orgId in OrganizationIdsAsync(context, cancellationToken))
        {
            await foreach (var page in DefinedStream.ChildPagesAsync(Members, context, orgId, cancellationToken))
            {
                using (page)
                {
                    foreach (var member in page.Items.EnumerateArray())
                    {
                        yield return (orgId, UserIdOf(member, orgId));
                    }
                }
            }
        }
    }

    private static IAsyncEnumerable<JsonPage> RolePagesAsync(StreamContext context, string orgId, string userId, ListingTally tally, CancellationToken cancellationToken)
    {
        var path = RolesPath(orgId, userId);
        return Paginators.OfParentAsync(
            Paginators.OffsetAsync(context.Api, path, "roles", context.PageSize, cancellationToken, tally: tally),
            [new("org_id", orgId), new("user_id", userId)],
            // Removed from the organization (or the organization deleted) since it was listed.
            () => context.Messages.Log(LogLevel.Warn, $"Member {userId} of organization {orgId} disappeared while reading its roles (HTTP 404); skipped."),
            cancellationToken);
    }
}
