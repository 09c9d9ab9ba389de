using System.Text.Json;
using Auth0Connector.Foundation;
using Auth0Connector.Http;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams;

/// <summary>The tenant's roles by id, from <c>GET /api/v2/roles</c>.</summary>
internal sealed class RoleCatalog : IDisposable
{
    private readonly List<JsonPage> _pages = [];
    private readonly Dictionary<string, JsonElement> _byId = new(StringComparer.Ordinal);

    public JsonElement? Find(JsonElement role) =>
        role.StringProperty("id") is { } id && _byId.TryGetValue(id, out var full) ? full : null;

    /// <summary>The catalog, or null when it cannot be read (no read:roles, over 1000 roles), said in a WARN if <paramref name="warn"/>.</summary>
    public static async Task<RoleCatalog?> TryLoadAsync(StreamContext context, bool warn, CancellationToken cancellationToken)
    {
        var catalog = new RoleCatalog();
        try
        {
            var roles = Definitions.Roles.Definition;
            await foreach (var page in DefinedStream.PagesAsync(roles, roles.Path, context, cancellationToken))
            {
                catalog._pages.Add(page);
                foreach (var role in page.Items.EnumerateArray())
                {
                    if (role.ValueKind == JsonValueKind.Object && role.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                    {
                        catalog._byId[id.GetString()!] = role;
                    }
                }
            }

            return catalog;
        }
        catch (Exception e) when (e is ResultCapException || (e is Auth0ApiException api && ErrorResolution.For(api) == ErrorAction.MissingScope))
        {
            catalog.Dispose();
            if (warn)
            {
                context.Messages.Log(LogLevel.Warn, $"organization_member_roles: the role catalog cannot be read ({(e is ResultCapException ? "more than 1000 roles" : "grant read:roles to avoid this")}); reading roles with one request per member instead.");
            }

            return null;
        }
        catch
        {
            catalog.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var page in _pages)
        {
            page.Dispose();
        }
    }
}
