using System.Text.Json;
using Auth0Connector.Configuration;

namespace Auth0Connector.Tests.Configuration;

public class ConnectorConfigTests
{
    private static ConnectorConfig Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return ConnectorConfig.Parse(document.RootElement);
    }

    private static ConfigException Rejects(string json) => Assert.Throws<ConfigException>(() => Parse(json));

    [Theory]
    [InlineData("https://t.auth0.com")]
    [InlineData("https://t.auth0.com/")]
    [InlineData("  https://t.auth0.com/  ")]
    public void Base_url_with_or_without_trailing_slash_joins_the_token_and_api_urls(string baseUrl)
    {
        var config = Parse($$$"""{"base_url":"{{{baseUrl}}}","credentials":{"auth_type":"oauth2_confidential_application","client_id":"id","client_secret":"secret"}}""");

        Assert.Equal("https://t.auth0.com/oauth/token", config.TokenUri.ToString());
        Assert.Equal("https://t.auth0.com/api/v2/", config.ApiBaseUri.ToString());
        var credentials = Assert.IsType<ClientCredentials>(config.Credentials);
        Assert.Equal("https://t.auth0.com/api/v2/", credentials.Audience);
    }

    [Fact]
    public void Airbyte_source_auth0_config_is_accepted_unchanged()
    {
        var config = Parse("""
            {"base_url":"https://dev-x.us.auth0.com/","start_date":"2023-08-05T00:43:59.244Z",
             "credentials":{"auth_type":"oauth2_confidential_application","client_id":"a","client_secret":"b","audience":"https://dev-x.us.auth0.com/api/v2/"}}
            """);

        Assert.Equal(new DateTimeOffset(2023, 8, 5, 0, 43, 59, 244, TimeSpan.Zero), config.StartDate);
        Assert.Equal(ConnectorConfig.DefaultPageSize, config.PageSize);
    }

    [Fact]
    public void Access_token_credentials_are_accepted_and_never_printed()
    {
        var config = Parse("""{"base_url":"https://t.auth0.com","credentials":{"auth_type":"oauth2_access_token","access_token":"eyJsecret.token.value"}}""");

        Assert.IsType<AccessToken>(config.Credentials);
        Assert.DoesNotContain("eyJsecret", config.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("eyJsecret", config.Credentials.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Client_secret_never_appears_in_ToString()
    {
        var config = Parse("""{"base_url":"https://t.auth0.com","credentials":{"auth_type":"oauth2_confidential_application","client_id":"id","client_secret":"s3cr3t-value"}}""");

        Assert.DoesNotContain("s3cr3t-value", config.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000")]
    [InlineData("http://localhost:8080/")]
    [InlineData("http://[::1]:9000")]
    public void Plain_http_is_accepted_for_loopback_hosts(string baseUrl)
    {
        var config = Parse($$$"""{"base_url":"{{{baseUrl}}}","credentials":{"auth_type":"oauth2_access_token","access_token":"t"}}""");

        Assert.Equal("http", config.BaseUri.Scheme);
    }

    [Theory]
    [InlineData("""{"credentials":{"auth_type":"oauth2_access_token","access_token":"t"}}""", "base_url")]
    [InlineData("""{"base_url":"","credentials":{"auth_type":"oauth2_access_token","access_token":"t"}}""", "base_url")]
    [InlineData("""{"base_url":42,"credentials":{"auth_type":"oauth2_access_token","access_token":"t"}}""", "base_url")]
    [InlineData("""{"base_url":"http://t.auth0.com","credentials":{"auth_type":"oauth2_access_token","access_token":"t"}}""", "base_url")]
    [InlineData("""{"base_url":"ftp://t.auth0.com","credentials":{"auth_type":"oauth2_access_token","access_token":"t"}}""", "base_url")]
    [InlineData("""{"base_url":"t.auth0.com","credentials":{"auth_type":"oauth2_access_token","access_token":"t"}}""", "base_url")]
    [InlineData("""{"base_url":"https://t.auth0.com/api/v2","credentials":{"auth_type":"oauth2_access_token","access_token":"t"}}""", "base_url")]
    [InlineData("""{"base_url":"https://t.auth0.com"}""", "credentials")]
    [InlineData("""{"base_url":"https://t.auth0.com","credentials":"x"}""", "credentials")]
    [InlineData("""{"base_url":"https://t.auth0.com","credentials":{"auth_type":"api_key","access_token":"t"}}""", "credentials.auth_type")]
    [InlineData("""{"base_url":"https://t.auth0.com","credentials":{}}""", "credentials.auth_type")]
    [InlineData("""{"base_url":"https://t.auth0.com","credentials":{"auth_type":"oauth2_access_token"}}""", "credentials.access_token")]
    [InlineData("""{"base_url":"https://t.auth0.com","credentials":{"auth_type":"oauth2_access_token","access_token":"  "}}""", "credentials.access_token")]
    [InlineData("""{"base_url":"https://t.auth0.com","credentials":{"auth_type":"oauth2_confidential_application","client_secret":"s"}}""", "credentials.client_id")]
    [InlineData("""{"base_url":"https://t.auth0.com","credentials":{"auth_type":"oauth2_confidential_application","client_id":"i"}}""", "credentials.client_secret")]
    [InlineData("""{"base_url":"https://t.auth0.com","credentials":{"auth_type":"oauth2_confidential_application","client_id":"i","client_secret":7}}""", "credentials.client_secret")]
    [InlineData("""{"base_url":"https://t.auth0.com","credentials":{"auth_type":"oauth2_access_token","access_token":"t"},"start_date":"yesterday"}""", "start_date")]
    [InlineData("""{"base_url":"https://t.auth0.com","credentials":{"auth_type":"oauth2_access_token","access_token":"t"},"page_size":500}""", "page_size")]
    [InlineData("""{"base_url":"https://t.auth0.com","credentials":{"auth_type":"oauth2_access_token","access_token":"t"},"page_size":"100"}""", "page_size")]
    [InlineData("""{"base_url":"https://t.auth0.com","credentials":{"auth_type":"oauth2_access_token","access_token":"t"},"requests_per_second":0}""", "requests_per_second")]
    [InlineData("""{"base_url":"https://t.auth0.com","credentials":{"auth_type":"oauth2_access_token","access_token":"t"},"start_date":"01/02/2024"}""", "start_date")]
    [InlineData("""{"base_url":"https://t.auth0.com","credentials":{"auth_type":"oauth2_access_token","access_token":"t"},"max_concurrency":0}""", "max_concurrency")]
    [InlineData("""[]""", "config")]
    public void Mistakes_name_the_field_to_fix(string json, string field)
    {
        var error = Rejects(json);

        Assert.Equal(field, error.Field);
        Assert.Contains(field == "config" ? "config" : field, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_type_secret_is_described_by_type_not_value()
    {
        var error = Rejects("""{"base_url":"https://t.auth0.com","credentials":{"auth_type":"oauth2_confidential_application","client_id":"i","client_secret":{"v":"hunter2-secret"}}}""");

        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
        Assert.Contains("an object", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2024-02-01", "2024-02-01T00:00:00.0000000+00:00")]
    [InlineData("2024-02-01T10:11:12Z", "2024-02-01T10:11:12.0000000+00:00")]
    [InlineData("2024-02-01T10:11:12.345Z", "2024-02-01T10:11:12.3450000+00:00")]
    [InlineData("2024-02-01T12:11:12+02:00", "2024-02-01T10:11:12.0000000+00:00")]
    public void Start_date_accepts_ISO_8601_forms_in_UTC(string text, string expected)
    {
        var config = Parse($$$"""{"base_url":"https://t.auth0.com","credentials":{"auth_type":"oauth2_access_token","access_token":"t"},"start_date":"{{{text}}}"}""");

        Assert.Equal(expected, config.StartDate!.Value.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Missing_start_date_means_every_user_not_a_hidden_default()
    {
        var config = Parse("""{"base_url":"https://t.auth0.com","credentials":{"auth_type":"oauth2_access_token","access_token":"t"},"start_date":""}""");

        Assert.Null(config.StartDate);
    }

    private const string Token = "\"credentials\":{\"auth_type\":\"oauth2_access_token\",\"access_token\":\"tok-123456\"}";

    [Theory]
    [InlineData("""{"auth_type":"oauth2_confidential_application","client_id":"i","client_secret":"s","audience":"p4sted-s3cret value"}""", "credentials.audience")]
    [InlineData("""{"auth_type":"p4sted-s3cret","client_id":"i","client_secret":"s"}""", "credentials.auth_type")]
    [InlineData("""{"auth_type":"oauth2_access_token","access_token":"p4sted-s3cret\r\nX-Injected: 1"}""", "credentials.access_token")]
    [InlineData("""{"auth_type":"oauth2_confidential_application","client_id":"p4sted-s3cret\nx","client_secret":"s"}""", "credentials.client_id")]
    [InlineData("""{"auth_type":"oauth2_confidential_application","client_id":"i","client_secret":"p4sted-s3cret\u0000x"}""", "credentials.client_secret")]
    [InlineData("""{"auth_type":"oauth2_confidential_application","client_id":"i","client_secret":"p4sted\ts3cret"}""", "credentials.client_secret")]
    public void Parse_RejectedCredentialValue_NamesTheFieldWithoutEchoingIt(string credentials, string field)
    {
        var error = Rejects($$$"""{"base_url":"https://t.auth0.com","credentials":{{{credentials}}}}""");

        Assert.Equal(field, error.Field);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("p4sted", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://user:p4ssw0rd@t.auth0.com")]
    [InlineData("https://:p4ssw0rd@t.auth0.com/")]
    [InlineData("http://user:p4ssw0rd@evil.example.com")]
    [InlineData("ftp://user:p4ssw0rd@t.auth0.com")]
    [InlineData("https://user:p4ssw0rd@t.auth0.com/api/v2")]
    [InlineData("https://user:p4ssw0rd@t.auth0.com?x=1")]
    [InlineData("https://user:p4ssw0rd@ bad host")]
    [InlineData("user:p4ssw0rd@t.auth0.com")]
    public void Parse_BaseUrlWithUserinfo_IsRejectedWithoutEchoingIt(string baseUrl)
    {
        var error = Rejects($$$"""{"base_url":"{{{baseUrl}}}",{{{Token}}}}""");

        Assert.Equal("base_url", error.Field);
        Assert.DoesNotContain("p4ssw0rd", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("requests_per_second", "1e-300", "0.01", "1000")]
    [InlineData("requests_per_second", "1e308", "0.01", "1000")]
    [InlineData("requests_per_second", "0.001", "0.01", "1000")]
    [InlineData("requests_per_second", "1001", "0.01", "1000")]
    [InlineData("requests_per_second", "-5", "0.01", "1000")]
    [InlineData("max_retries", "1e9", "0", "20")]
    [InlineData("max_retries", "-1", "0", "20")]
    [InlineData("max_retries", "2.5", "0", "20")]
    [InlineData("page_size", "1e400", "1", "100")]
    [InlineData("page_size", "0.5", "1", "100")]
    [InlineData("max_concurrency", "17", "1", "16")]
    [InlineData("lookback_window_seconds", "-300", "0", "604800")]
    [InlineData("lookback_window_seconds", "99999999999999999999", "0", "604800")]
    public void Parse_NumberOutOfRange_NamesTheFieldAndItsRange(string field, string value, string min, string max)
    {
        var error = Rejects($$$"""{"base_url":"https://t.auth0.com",{{{Token}}},"{{{field}}}":{{{value}}}}""");

        Assert.Equal(field, error.Field);
        Assert.Contains($"'{field}'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"from {min} to {max}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("max_retries", "3.0", 3)]
    [InlineData("page_size", "5e1", 50)]
    public void Parse_WholeNumberWrittenWithFractionOrExponent_IsAccepted(string field, string value, int expected)
    {
        var config = Parse($$$"""{"base_url":"https://t.auth0.com",{{{Token}}},"{{{field}}}":{{{value}}}}""");

        Assert.Equal(expected, field == "max_retries" ? config.MaxRetries : config.PageSize);
    }

    [Theory]
    [InlineData("0.01")]
    [InlineData("1000")]
    [InlineData("2.5")]
    public void Parse_RequestsPerSecondInRange_IsAccepted(string value)
    {
        var config = Parse($$$"""{"base_url":"https://t.auth0.com",{{{Token}}},"requests_per_second":{{{value}}}}""");

        Assert.Equal(double.Parse(value, System.Globalization.CultureInfo.InvariantCulture), config.RequestsPerSecond);
    }
}
