using Auth0Connector.Streams.Definitions;

namespace Auth0Connector.Streams;

/// <summary>The connector's streams, in catalog order: one definition per line (see <c>Streams/Definitions</c>).</summary>
internal sealed class StreamRegistry
{
    public static readonly IReadOnlyList<StreamDefinition> Definitions =
    [
        Clients.Definition,
        Organizations.Definition,
        OrganizationMembers.Definition,
        OrganizationMemberRoles.Definition,
        Users.Definition,
        Logs.Definition,
        Roles.Definition,
        RoleUsers.Definition,
        RolePermissions.Definition,
        Connections.Definition,
        ResourceServers.Definition,
        ClientGrants.Definition,
        Actions.Definition,
        LogStreams.Definition,
        StatsDaily.Definition,
        TenantSettings.Definition,
        SigningKeys.Definition,
        OrganizationInvitations.Definition,
        OrganizationConnections.Definition,
        Groups.Definition,
        GroupMembers.Definition,
        RoleGroups.Definition,
    ];

    public IReadOnlyList<IAuth0Stream> All { get; } = [.. Definitions.Select(d => new DefinedStream(d))];

    public IAuth0Stream? Find(string name) => All.FirstOrDefault(s => s.Name == name);
}
