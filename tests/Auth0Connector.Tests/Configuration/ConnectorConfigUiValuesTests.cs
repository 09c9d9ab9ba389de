using System.Text.Json;
using Auth0Connector.Configuration;

namespace Auth0Connector.Tests.Configuration;

/// <summary>Config values as Airbyte's UI writes them.</summary>
public class ConnectorConfigUiValuesTests
{
    [Theory]
    [InlineData("HTTPS://Dev-Org.US.Auth0.com")]
    [InlineData("https://dev-org.us.auth0.com//")]
    [InlineData("https://dev-org.us.auth0.com/")]
    public void ParseBaseUrl_UpperCaseSchemeOrTrailingSlashes_Accepted(string text)
    {
        Assert.Equal("https://dev-org.us.auth0.com/", ConnectorConfig.ParseBaseUrl(text).ToString());
    }

    [Fact]
    public void Parse_EmptyStartDate_MeansAbsent()
    {
        using var document = JsonDocument.Parse("""{"base_url":"https://x.auth0.com","start_date":"","credentials":{"auth_type":"oauth2_access_token","access_token":"tok-123456789"}}""");

        Assert.Null(ConnectorConfig.Parse(document.RootElement).StartDate);
    }
}
