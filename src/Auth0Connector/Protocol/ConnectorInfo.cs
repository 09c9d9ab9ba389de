using System.Reflection;

namespace Auth0Connector.Protocol;

internal static class ConnectorInfo
{
    public const string Name = "auth0-connector";

    public static string Version { get; } =
        typeof(ConnectorInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";
}
