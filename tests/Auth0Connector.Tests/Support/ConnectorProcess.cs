namespace Auth0Connector.Tests.Support;

/// <summary>The connector's own executable, for tests that run the real process.</summary>
internal static class ConnectorProcess
{
    /// <summary>
    /// The connector as built in its own project (same configuration as this test assembly): the
    /// copy beside the tests resolves the test project's package versions, not its own.
    /// </summary>
    public static string Binary()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = here.Parent!.Name; // bin/<configuration>/net10.0/
        var root = here;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Auth0Connector.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        return Path.Combine(root.FullName, "src", "Auth0Connector", "bin", configuration, here.Name, "auth0-connector");
    }
}
