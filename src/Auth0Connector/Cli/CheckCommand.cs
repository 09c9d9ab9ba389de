using System.Net;
using System.Text.Json;
using Auth0Connector.Auth;
using Auth0Connector.Configuration;
using Auth0Connector.Http;
using Auth0Connector.Protocol;
using Auth0Connector.Streams;
using Microsoft.Extensions.DependencyInjection;

namespace Auth0Connector.Cli;

/// <summary>
/// <c>check</c>: gets a token, then sends one small request per stream so that a wrong secret,
/// a missing grant, a missing scope or an unreachable host is named precisely. A tenant with no
/// organizations, or without the Organizations feature, passes.
/// </summary>
internal static class CheckCommand
{
    /// <summary>check answers within seconds: one retry, not a sync's patience.</summary>
    private const int CheckRetries = 1;

    /// <summary>An attempt of check's: a tenant that accepts connections but never answers fails check within about 20 s.</summary>
    private static readonly TimeSpan CheckAttemptTimeout = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(string configPath, CommandContext context, CancellationToken cancellationToken)
    {
        ConnectorConfig config;
        try
        {
            config = context.LoadConfig(configPath);
        }
        catch (ConfigException e)
        {
            context.Messages.ConnectionStatus(false, $"Invalid config: {e.Message}");
            return 0;
        }

        var (ok, message) = await VerifyAsync(config with
        {
            MaxRetries = Math.Min(config.MaxRetries, CheckRetries),
            RequestTimeout = config.RequestTimeout < CheckAttemptTimeout ? config.RequestTimeout : CheckAttemptTimeout,
        }, context, cancellationToken);
        context.Messages.ConnectionStatus(ok, message);
        return 0;
    }

    private static async Task<(bool Ok, string Message)> VerifyAsync(ConnectorConfig config, CommandContext context, CancellationToken cancellationToken)
    {
        await using var services = ConnectorServices.Build(config, context.Environment.Time, context.Log, context.Redactor, context.Environment.CustomizeServices);
        var tokens = services.GetRequiredService<ITokenSource>();
        var api = services.GetRequiredService<Auth0ApiClient>();
        try
        {
            await tokens.GetTokenAsync(cancellationToken);
        }
        catch (Auth0AuthException e)
        {
            return (false, e.Message);
        }
        catch (Auth0TransportException e)
        {
            return (false, $"Could not reach {config.BaseUri.Host}: {(e.InnerException?.Message ?? e.Message).TrimEnd('.')}. Check base_url and the network.");
        }
        catch (Auth0ApiException e)
        {
            return (false, e.Message);
        }

        // The probes are independent apart from the organization chain: run them side by side, so
        // that check costs about four round trips instead of seven. Each branch reports into its own
        // findings; they are combined in a fixed order, so the message does not depend on timing.
        var users = new Findings();
        var clients = new Findings();
        var organizations = new Findings();
        var roles = new Findings();
        string? orgId = null;
        string? userId = null;
        try
        {
            await Task.WhenAll(
                ProbeOnlyAsync(api, "users?per_page=1&page=0&search_engine=v3&fields=user_id&include_fields=true", "users", "read:users", users, cancellationToken),
                ProbeOnlyAsync(api, "clients?per_page=1&page=0&fields=client_id&include_fields=true", "clients", "read:clients", clients, cancellationToken),
                OrganizationChainAsync(),
                ProbeRolesAsync(api, roles, cancellationToken));
        }
        catch (Auth0ApiException e) when (e.Status == HttpStatusCode.Unauthorized)
        {
            return (false, e.Message);
        }
        catch (Auth0TransportException e)
        {
            return (false, $"Could not reach {config.BaseUri.Host}: {(e.InnerException?.Message ?? e.Message).TrimEnd('.')}. Check base_url and the network.");
        }
        catch (Auth0ApiException e)
        {
            return (false, $"The tenant answered an unexpected error: {e.Message}");
        }

        var missing = users.Missing.Concat(clients.Missing).Concat(organizations.Missing).ToList();
        var notes = organizations.Notes.Concat(roles.Notes).ToList();

        // With nothing to probe, fall back on the scopes the token says it carries.
        if (userId is null && tokens.GrantedScopes is { } granted)
        {
            if (orgId is null && !granted.Contains("read:organization_members"))
            {
                missing.Add("read:organization_members (stream organization_members)");
            }

            if (!granted.Contains("read:organization_member_roles"))
            {
                missing.Add("read:organization_member_roles (stream organization_member_roles)");
            }
        }

        if (missing.Count > 0)
        {
            return (false, $"Connected to {config.BaseUri.Host}, but the credentials lack scopes: {string.Join("; ", missing.Distinct())}. Grant them to the application in the Auth0 dashboard (APIs → Auth0 Management API → Machine to Machine Applications), or for a pasted token create one with those scopes.");
        }

        return (true, $"Connected to {config.BaseUri.Host}; every stream's scope is granted." + (notes.Count > 0 ? " " + string.Join(" ", notes) : string.Empty));

        // organizations → the first one's members → the first member's roles.
        async Task OrganizationChainAsync()
        {
            orgId = await ProbeOrganizationsAsync(api, organizations, cancellationToken);
            if (orgId is null)
            {
                return;
            }

            using var members = await ProbeAsync(api, ApiPath.Of("organizations", orgId, "members") + "?take=1", "organization_members", "read:organization_members", organizations, cancellationToken);
            userId = members is null ? null : FirstId(members.RootElement, "members", "user_id");
            if (userId is not null)
            {
                await ProbeOnlyAsync(api, ApiPath.Of("organizations", orgId, "members", userId, "roles") + "?per_page=1&page=0", "organization_member_roles", "read:organization_member_roles", organizations, cancellationToken);
            }
        }
    }

    /// <summary>What one probe branch found: scopes the credentials lack, and notes for the user.</summary>
    private sealed class Findings
    {
        public List<string> Missing { get; } = [];

        public List<string> Notes { get; } = [];
    }

    private static async Task ProbeRolesAsync(Auth0ApiClient api, Findings findings, CancellationToken cancellationToken)
    {
        try
        {
            using var _ = await api.GetJsonAsync("roles?per_page=1&page=0", cancellationToken);
        }
        catch (Auth0ApiException e) when (e.Status == HttpStatusCode.Forbidden)
        {
            findings.Notes.Add("Without read:roles, organization_member_roles costs one request per member: grant it to read roles with the members listing.");
        }
    }

    private static async Task ProbeOnlyAsync(Auth0ApiClient api, string uri, string stream, string scope, Findings findings, CancellationToken cancellationToken)
    {
        using var _ = await ProbeAsync(api, uri, stream, scope, findings, cancellationToken);
    }

    private static async Task<JsonDocument?> ProbeAsync(Auth0ApiClient api, string uri, string stream, string scope, Findings findings, CancellationToken cancellationToken)
    {
        try
        {
            return await api.GetJsonAsync(uri, cancellationToken);
        }
        catch (Auth0ApiException e) when (e.Status == HttpStatusCode.Forbidden)
        {
            findings.Missing.Add($"{scope} (stream {stream})");
            return null;
        }
    }

    private static async Task<string?> ProbeOrganizationsAsync(Auth0ApiClient api, Findings findings, CancellationToken cancellationToken)
    {
        try
        {
            using var organizations = await ProbeAsync(api, "organizations?take=1", "organizations", "read:organizations", findings, cancellationToken);
            var id = organizations is null ? null : FirstId(organizations.RootElement, "organizations", "id");
            if (organizations is not null && id is null)
            {
                findings.Notes.Add("The tenant has no organizations yet: the organization streams will be empty.");
            }

            return id;
        }
        catch (Auth0ApiException e) when (e.Status is HttpStatusCode.NotFound or HttpStatusCode.BadRequest or HttpStatusCode.PaymentRequired)
        {
            findings.Notes.Add($"Organizations are not available on this tenant ({e.Message}); the organization streams will be empty.");
            return null;
        }
    }

    private static string? FirstId(JsonElement root, string itemsProperty, string idProperty)
    {
        var items = root.ValueKind == JsonValueKind.Array ? root
            : root.ValueKind == JsonValueKind.Object && root.TryGetProperty(itemsProperty, out var list) ? list : default;
        if (items.ValueKind != JsonValueKind.Array || items.GetArrayLength() == 0)
        {
            return null;
        }

        return items[0].StringProperty(idProperty);
    }
}
