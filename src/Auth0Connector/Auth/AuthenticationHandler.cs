using System.Net.Http.Headers;
using Auth0Connector.Http;

namespace Auth0Connector.Auth;

/// <summary>Adds the bearer token; on a 401 renews the token once and sends the request again.</summary>
internal sealed class AuthenticationHandler(ITokenSource tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await tokens.GetTokenAsync(cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await base.SendAsync(request, cancellationToken);
        if (ErrorResolution.For(response.StatusCode) != ErrorAction.RenewToken)
        {
            return response;
        }

        bool renewed;
        try
        {
            renewed = await tokens.InvalidateAsync(token, cancellationToken);
        }
        catch
        {
            response.Dispose();
            throw;
        }

        if (!renewed)
        {
            return response;
        }

        response.Dispose();
        token = await tokens.GetTokenAsync(cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await base.SendAsync(request, cancellationToken);
    }
}
