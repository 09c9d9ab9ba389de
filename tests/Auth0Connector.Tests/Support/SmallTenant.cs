using Auth0Connector.FakeTenant;

namespace Auth0Connector.Tests.Support;

/// <summary>The small fake tenant the error-path tests share: quick to seed, every stream non-empty.</summary>
internal static class SmallTenant
{
    public static FakeTenant.FakeTenant Start(string clientSecret, Action<FakeTenantOptions>? configure = null)
    {
        var options = new FakeTenantOptions
        {
            Users = 20,
            Organizations = 2,
            MembersPerOrganization = 5,
            Clients = 3,
            ClientSecret = clientSecret,
        };
        configure?.Invoke(options);
        return FakeTenant.FakeTenant.Start(options);
    }
}
