namespace Auth0Connector.Auth;

/// <summary>Supplies the bearer token for Management API calls.</summary>
internal interface ITokenSource
{
    /// <summary>The current token; fetches or renews it when needed.</summary>
    ValueTask<string> GetTokenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Called after the API answered 401 to <paramref name="rejectedToken"/>. Returns true when a
    /// different token is now available and the request is worth sending again.
    /// </summary>
    ValueTask<bool> InvalidateAsync(string rejectedToken, CancellationToken cancellationToken);

    /// <summary>The scopes granted to the token, when known (client-credentials responses list them).</summary>
    IReadOnlySet<string>? GrantedScopes { get; }
}
