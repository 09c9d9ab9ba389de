using System.Net;
using System.Text.Json;
using Auth0Connector.Auth;
using Auth0Connector.Configuration;
using Auth0Connector.Http;
using Auth0Connector.Protocol;
using Auth0Connector.Streams;
using Auth0Connector.Streams.Definitions;
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
        var probes = new ProbeRun(services.GetRequiredService<Auth0ApiClient>(), new StreamRegistry(), cancellationToken);
        try
        {
            await tokens.GetTokenAsync(cancellationToken);
            await probes.RunAsync();
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
            // The token endpoint's refusals and a 401 speak for themselves; anything else is unexpected.
            return (false, !probes.Started || ErrorResolution.For(e) == ErrorAction.RenewToken ? e.Message : $"The tenant answered an unexpected error: {e.Message}");
        }
        catch (Exception e) when (e is OffOriginException or ResponseTooLargeException or InvalidDataException or System.Text.Json.JsonException)
        {
            return (false, $"The tenant's answer cannot be used: {e.Message}");
        }

        var (missing, notes) = probes.Conclude(tokens.GrantedScopes);
        if (missing.Count > 0)
        {
            return (false, $"Connected to {config.BaseUri.Host}, but the credentials lack scopes: {string.Join("; ", missing.Distinct())}. Grant them to the application in the Auth0 dashboard (APIs → Auth0 Management API → Machine to Machine Applications), or for a pasted token create one with those scopes.");
        }

        return (true, $"Connected to {config.BaseUri.Host}; every stream's scope is granted." + (notes.Count > 0 ? " " + string.Join(" ", notes) : string.Empty));
    }

    /// <summary>
    /// The probes, one small request per stream. They are independent apart from the organization
    /// chain, so they run side by side (about four round trips instead of seven); each branch
    /// reports into its own findings, combined in a fixed order so the message does not depend on timing.
    /// </summary>
    private sealed class ProbeRun(Auth0ApiClient api, StreamRegistry registry, CancellationToken cancellationToken)
    {
        private readonly Findings _users = new();
        private readonly Findings _clients = new();
        private readonly Findings _organizations = new();
        private readonly Findings _roles = new();
        private string? _orgId;
        private string? _userId;

        /// <summary>Whether the probes began (a token was had).</summary>
        public bool Started { get; private set; }

        public Task RunAsync()
        {
            Started = true;
            return Task.WhenAll(
                ProbeOnlyAsync(api, "users?per_page=1&page=0&search_engine=v3&fields=user_id&include_fields=true", Stream("users"), _users, cancellationToken),
                ProbeOnlyAsync(api, DefinedStream.ProbePath(Clients.Definition), Stream("clients"), _clients, cancellationToken),
                OrganizationChainAsync(),
                ProbeRolesAsync(api, _roles, cancellationToken));
        }

        /// <summary>The scopes missing (stream by stream) and the notes for the user.</summary>
        public (List<string> Missing, List<string> Notes) Conclude(IReadOnlySet<string>? granted)
        {
            var missing = _users.Missing.Concat(_clients.Missing).Concat(_organizations.Missing).ToList();
            // With no member to probe, fall back on the scopes the token says it carries.
            if (_userId is null && granted is not null)
            {
                foreach (var stream in (IAuth0Stream[])[Stream("organization_members"), Stream("organization_member_roles")])
                {
                    if ((_orgId is null || stream.Name != "organization_members") && !granted.Contains(stream.RequiredScope))
                    {
                        missing.Add($"{stream.RequiredScope} (stream {stream.Name})");
                    }
                }
            }

            return (missing, [.. _organizations.Notes.Concat(_roles.Notes)]);
        }

        private IAuth0Stream Stream(string name) => registry.Find(name) ?? throw new InvalidOperationException($"No stream {name}.");

        // organizations → the first one's members → the first member's roles.
        private async Task OrganizationChainAsync()
        {
            _orgId = await ProbeOrganizationsAsync(api, Stream("organizations"), _organizations, cancellationToken);
            if (_orgId is null)
            {
                return;
            }

            using var members = await ProbeAsync(api, DefinedStream.ProbePath(OrganizationMembers.Definition, _orgId), Stream("organization_members"), _organizations, cancellationToken);
            _userId = members is null ? null : FirstId(members.RootElement, "members", "user_id");
            if (_userId is not null)
            {
                await ProbeOnlyAsync(api, ApiPath.Of("organizations", _orgId, "members", _userId, "roles") + "?per_page=1&page=0", Stream("organization_member_roles"), _organizations, cancellationToken);
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
        catch (Auth0ApiException e) when (ErrorResolution.For(e) == ErrorAction.MissingScope)
        {
            findings.Notes.Add("Without read:roles, organization_member_roles costs one request per member: grant it to read roles with the members listing.");
        }
    }

    private static async Task ProbeOnlyAsync(Auth0ApiClient api, string uri, IAuth0Stream stream, Findings findings, CancellationToken cancellationToken)
    {
        using var _ = await ProbeAsync(api, uri, stream, findings, cancellationToken);
    }

    private static async Task<JsonDocument?> ProbeAsync(Auth0ApiClient api, string uri, IAuth0Stream stream, Findings findings, CancellationToken cancellationToken)
    {
        try
        {
            return await api.GetJsonAsync(uri, cancellationToken);
        }
        catch (Auth0ApiException e) when (ErrorResolution.For(e) == ErrorAction.MissingScope)
        {
            findings.Missing.Add($"{stream.RequiredScope} (stream {stream.Name})");
            return null;
        }
    }

    private static async Task<string?> ProbeOrganizationsAsync(Auth0ApiClient api, IAuth0Stream organizationsStream, Findings findings, CancellationToken cancellationToken)
    {
        try
        {
            using var organizations = await ProbeAsync(api, DefinedStream.ProbePath(Organizations.Definition), organizationsStream, findings, cancellationToken);
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
