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
}
