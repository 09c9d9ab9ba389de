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
        new DefinedStream(Definitions.ResourceServers.Definition),
    ];

    public IAuth0Stream? Find(string name) => All.FirstOrDefault(s => s.Name == name);
}
