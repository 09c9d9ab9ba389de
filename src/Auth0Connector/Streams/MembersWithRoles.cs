using System.Runtime.CompilerServices;
using System.Text.Json;
using Auth0Connector.Http;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams;

/// <summary>
/// <c>organization_members</c> and <c>organization_member_roles</c> from one walk of the members
/// listings: each organization's members are read once with their roles (<c>fields=...,roles</c>),
/// members become member records (without <c>roles</c>) and their roles member-role rows. Two
/// streams for the requests of one: about 2 per organization instead of 4.
/// </summary>
/// <remarks>
/// Asking for <c>roles</c> means naming every field (Auth0 sends roles only when asked, and then
/// only the fields asked for), so a member field this connector does not know would be lost. One
/// member of the first organization that has one is therefore read whole first: a field beyond
/// <see cref="MemberFields"/> sends both streams back to their own walks, records untouched.
/// </remarks>
internal sealed class MembersWithRoles : IAsyncDisposable
{
    /// <summary>The fields of an organization member (Auth0's Management API reference).</summary>
    public static readonly string[] MemberFields = ["user_id", "email", "picture", "name"];

    private static readonly RecordField OmitRoles = RecordField.Omitted("roles");

    private readonly RoleCatalog _catalog;
    private readonly IAsyncEnumerator<string> _organizations;
    private readonly bool _any;

    private MembersWithRoles(RoleCatalog catalog, IAsyncEnumerator<string> organizations, bool any) => (_catalog, _organizations, _any) = (catalog, organizations, any);

    private static StreamDefinition Members => Definitions.OrganizationMembers.Definition;

    /// <summary>
    /// The joint walk, or null when it cannot give both streams exactly what their own walks would:
    /// scopes not known to be granted, no role catalog (the member-roles stream then reads per
    /// member, and says why), or a member field beyond <see cref="MemberFields"/>.
    /// </summary>
    public static async Task<MembersWithRoles?> TryPlanAsync(StreamContext context, IReadOnlySet<string>? granted, CancellationToken cancellationToken)
    {
        if (granted is null || !granted.Contains("read:organization_members") || !granted.Contains("read:organization_member_roles") || !granted.Contains("read:roles"))
        {
            return null;
        }

        var catalog = await RoleCatalog.TryLoadAsync(context, warn: false, cancellationToken);
        if (catalog is null)
        {
            return null;
        }

        // The organizations are listed once: the first one is looked at here, the walk goes on from it.
        var organizations = DefinedStream.IdsAsync(Members.Parent!.Parent, Members.Parent.ParentKey, context, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            // The first organization with a member is looked at; those before it are empty, and the walk goes on from it.
            List<string>? unknownFields = [];
            var any = false;
            while (await organizations.MoveNextAsync())
            {
                (any, unknownFields) = await UnknownMemberFieldsAsync(context, organizations.Current, cancellationToken);
                if (any || unknownFields is null)
                {
                    break;
                }
            }

            if (unknownFields is not [])
            {
                if (unknownFields is not null)
                {
                    context.Messages.Log(LogLevel.Warn, $"organization_members: members carry {string.Join(", ", unknownFields)}, which this connector does not know; reading members and their roles in separate walks so that no field is lost.");
                }

                await organizations.DisposeAsync();
                catalog.Dispose();
                return null;
            }

            return new MembersWithRoles(catalog, organizations, any);
        }
        catch
        {
            await organizations.DisposeAsync();
            catalog.Dispose();
            throw;
        }
    }

    /// <summary>Pages and rows of both streams: index 0 for members, 1 for member roles.</summary>
    public async IAsyncEnumerable<(int Stream, StreamItem Item)> ReadAsync(StreamContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var fields = string.Join(",", MemberFields) + ",roles";
        var pages = FanOut.PagesAsync(
            // The organizations' ids, from the one listing begun when the walk was planned.
            AsyncSequences.FromCurrent(_organizations, _any),
            (orgId, token) => DefinedStream.ChildPagesAsync(Members, ["organization_members", "organization_member_roles"], context, orgId, null, token, ("fields", fields), ("include_fields", true)),
            context.Config.MaxConcurrency,
            cancellationToken);
        await foreach (var page in pages)
        {
            // The member-role rows point into the page: they are written before the page is released.
            foreach (var role in Retrievers.MemberRolesRetriever.RolesOfMembers(page, _catalog))
            {
                yield return (1, role);
            }

            page.Added = [.. page.Added!, OmitRoles];
            yield return (0, StreamItem.Of(page));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _organizations.DisposeAsync();
        _catalog.Dispose();
    }

    /// <summary>
    /// One member of the organization, read whole: whether it has one, and the fields that member carries that
    /// this connector does not know. Null fields: the organization is gone.
    /// </summary>
    private static async Task<(bool HasMember, List<string>? Unknown)> UnknownMemberFieldsAsync(StreamContext context, string orgId, CancellationToken cancellationToken)
    {
        // One record of the listing: what check's probe asks.
        var path = DefinedStream.ProbePath(Members, orgId);
        JsonDocument document;
        try
        {
            document = await context.Api.GetJsonAsync(path, cancellationToken);
        }
        catch (Auth0ApiException e) when (ErrorResolution.For(e) == ErrorAction.SkipVanishedParent)
        {
            // Deleted since it was listed: the separate walks skip it with a warning.
            return (false, null);
        }

        using var _ = document;
        var members = Paginators.Items(document.RootElement, Members.RecordsProperty, path);
        return members.GetArrayLength() == 0 ? (false, []) : (true, [.. members[0].EnumerateObject().Select(p => p.Name).Where(n => !MemberFields.Contains(n, StringComparer.Ordinal))]);
    }
}
