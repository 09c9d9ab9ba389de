namespace Auth0Connector.Auth;

/// <summary>Auth0 refused the credentials or the token: always something the user must fix.</summary>
internal sealed class Auth0AuthException(string message) : Exception(message);
