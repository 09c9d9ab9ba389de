namespace Auth0Connector.Streams;

/// <summary>The connector's streams, in catalog order.</summary>
internal sealed class StreamRegistry
{
    public IReadOnlyList<IAuth0Stream> All { get; } =
    [
        new DefinedStream(Definitions.Clients.Definition),
        new DefinedStream(Definitions.Organizations.Definition),
        new DefinedStream(Definitions.OrganizationMembers.Definition),
        new OrganizationMemberRolesStream(),
        new DefinedStream(Definitions.Users.Definition),
        new DefinedStream(Definitions.Logs.Definition),
        new DefinedStream(Definitions.Roles.Definition),
        new DefinedStream(Definitions.RoleUsers.Definition),
        new DefinedStream(Definitions.RolePermissions.Definition),
        new DefinedStream(Definitions.Connections.Definition),
        new DefinedStream(Definitions.ResourceServers.Definition),
        new DefinedStream(Definitions.ClientGrants.Definition),
        new DefinedStream(Definitions.Actions.Definition),
        new DefinedStream(Definitions.LogStreams.Definition),
        new DefinedStream(Definitions.StatsDaily.Definition),
        new DefinedStream(Definitions.TenantSettings.Definition),
        new DefinedStream(Definitions.SigningKeys.Definition),
        new DefinedStream(Definitions.OrganizationInvitations.Definition),
        new DefinedStream(Definitions.OrganizationConnections.Definition),
    ];

    public IAuth0Stream? Find(string name) => All.FirstOrDefault(s => s.Name == name);
}
