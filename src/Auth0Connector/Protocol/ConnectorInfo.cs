using System.Reflection;

namespace Auth0Connector.Protocol;

internal static class ConnectorInfo
{
    public static string Version { get; } =
        typeof(ConnectorInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";
}
