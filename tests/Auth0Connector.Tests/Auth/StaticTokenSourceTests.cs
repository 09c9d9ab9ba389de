using System.Buffers.Text;
using System.Text;
using Auth0Connector.Auth;

namespace Auth0Connector.Tests.Auth;

public class StaticTokenSourceTests
{
    private static string Segment(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    private static string Jwt(string payloadJson) => $"{Segment("""{"alg":"RS256","typ":"JWT"}""")}.{Segment(payloadJson)}.c2lnbmF0dXJl";

    [Fact]
    public void ReadScopes_reads_the_scope_claim_of_a_JWT()
    {
        var token = Jwt("""{"iss":"https://t.auth0.com/","aud":"https://t.auth0.com/api/v2/","scope":"read:users  read:clients read:organizations","gty":"client-credentials"}""");

        var scopes = StaticTokenSource.ReadScopes(token);

        Assert.NotNull(scopes);
        Assert.Equal(["read:clients", "read:organizations", "read:users"], scopes.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task GrantedScopes_comes_from_the_token_and_the_token_is_never_renewed()
    {
        var token = Jwt("""{"scope":"read:users"}""");
        var source = new StaticTokenSource(token);

        Assert.Equal(["read:users"], source.GrantedScopes!);
        Assert.Equal(token, await source.GetTokenAsync(CancellationToken.None));
        Assert.False(await source.InvalidateAsync(token, CancellationToken.None));
    }

    [Theory]
    [InlineData("opaque-token-without-dots")]
    [InlineData("two.parts")]
    [InlineData("a.b.c.d")]
    [InlineData("header.%%%not-base64%%%.signature")]
    [InlineData("")]
    public void ReadScopes_of_a_token_that_is_not_a_JWT_is_null(string token)
    {
        Assert.Null(StaticTokenSource.ReadScopes(token));
        Assert.Null(new StaticTokenSource(token).GrantedScopes);
    }

    [Theory]
    [InlineData("""{"sub":"client@clients"}""")]
    [InlineData("""{"scope":["read:users"]}""")]
    [InlineData("""["read:users"]""")]
    [InlineData("not json")]
    public void ReadScopes_of_a_JWT_without_a_string_scope_claim_is_null(string payload)
    {
        Assert.Null(StaticTokenSource.ReadScopes(Jwt(payload)));
    }
}
