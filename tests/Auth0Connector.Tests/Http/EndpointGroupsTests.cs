using Auth0Connector.Http;

namespace Auth0Connector.Tests.Http;

/// <summary>The bucket map: which of Auth0's endpoint groups paces a request.</summary>
public class EndpointGroupsTests
{
    [Theory]
    [InlineData("POST", "jobs/users-exports", "Other")]
    [InlineData("GET", "jobs/job_a1b2c3d4e5f6a7b8", "Other")]
    [InlineData("GET", "/api/v2/jobs/job_a1b2c3d4e5f6a7b8", "Other")]
    [InlineData("GET", "users", "ReadUsers")]
    public void Of_UsersExportJob_PacedAsOtherEndpoints(string method, string path, string expected)
    {
        Assert.Equal(Enum.Parse<EndpointGroup>(expected), EndpointGroups.Of(new HttpMethod(method), path));
    }

    /// <summary>Auth0's plan tables give the group endpoints no group of their own: they draw on "all other endpoints".</summary>
    [Theory]
    [InlineData("groups")]
    [InlineData("/api/v2/groups")]
    [InlineData("groups/grp_1Uekuksr6JX86jkbJjodnF/members")]
    [InlineData("roles/rol_a1b2c3d4e5f6a7b8/groups")]
    public void Of_GroupEndpoints_PacedAsOtherEndpoints(string path)
    {
        Assert.Equal(EndpointGroup.Other, EndpointGroups.Of(HttpMethod.Get, path));
    }
}
