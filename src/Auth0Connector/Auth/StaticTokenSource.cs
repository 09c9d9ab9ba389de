using System.Buffers.Text;
using System.Text.Json;
using Auth0Connector.Foundation;

namespace Auth0Connector.Auth;

/// <summary>A pasted access token: it cannot be renewed, so a 401 is final.</summary>
internal sealed class StaticTokenSource(string token) : ITokenSource
{
    public IReadOnlySet<string>? GrantedScopes { get; } = ReadScopes(token);

    public ValueTask<string> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult(token);

    public ValueTask<bool> InvalidateAsync(string rejectedToken, CancellationToken cancellationToken) => ValueTask.FromResult(false);

    /// <summary>Management API tokens are JWTs with a space-separated <c>scope</c> claim; anything else gives null.</summary>
    internal static IReadOnlySet<string>? ReadScopes(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var payload = Base64Url.DecodeFromChars(parts[1]);
            using var document = JsonDocument.Parse(payload, ServerJson.Options);
            return ParseScopes(document.RootElement.StringProperty("scope"));
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            // Not a readable JWT: scopes stay unknown and check probes the endpoints instead.
            return null;
        }
    }

    /// <summary>A space-separated OAuth <c>scope</c> value as a set; null when absent.</summary>
    internal static IReadOnlySet<string>? ParseScopes(string? scope) =>
        scope?.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
}
