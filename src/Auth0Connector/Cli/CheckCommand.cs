using Auth0Connector.Auth;
using Auth0Connector.Configuration;
using Auth0Connector.Foundation;
using Auth0Connector.Http;
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
        using var probes = new CheckProbes(services.GetRequiredService<Auth0ApiClient>(), new StreamRegistry(), config.MaxConcurrency, cancellationToken);
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

        return Conclude(config, probes, tokens.GrantedScopes);
    }

    /// <summary>
    /// Partial scopes are normal for a real M2M application: check passes when the credentials work
    /// and at least one stream can be read, naming each stream whose scopes are missing (those
    /// streams end INCOMPLETE in a sync); it fails only when no stream can be read.
    /// </summary>
    private static (bool Ok, string Message) Conclude(ConnectorConfig config, CheckProbes probes, IReadOnlySet<string>? granted)
    {
        // Grouped by what is lacking, in stream order: "read:roles (streams roles, role_users, role_permissions)".
        var missing = new List<(string Lacking, List<string> Streams)>();
        var readable = 0;
        var outcomes = probes.Outcomes().ToList();
        foreach (var (stream, outcome) in outcomes)
        {
            // Not probed (no parent record): judged by the scopes the token names, if it names them.
            var lacking = outcome switch
            {
                ProbeOutcome.MissingScope => stream.RequiredScopes.Where(s => granted?.Contains(s) != true).DefaultIfEmpty(string.Join(" and ", stream.RequiredScopes)).ToList(),
                ProbeOutcome.NotProbed when granted is not null => [.. stream.RequiredScopes.Where(s => !granted.Contains(s))],
                _ => [],
            };
            if (lacking.Count > 0)
            {
                var text = string.Join(" and ", lacking);
                if (missing.FindIndex(m => m.Lacking == text) is var at and >= 0)
                {
                    missing[at].Streams.Add(stream.Name);
                }
                else
                {
                    missing.Add((text, [stream.Name]));
                }
            }
            else
            {
                readable++;
            }
        }

        var lacks = string.Join("; ", missing.Select(m => $"{m.Lacking} (stream{(m.Streams.Count > 1 ? "s" : string.Empty)} {string.Join(", ", m.Streams)})"));
        var notes = string.Concat(probes.Notes().Select(n => " " + n));
        const string Where = "Grant them to the application in the Auth0 dashboard (APIs → Auth0 Management API → Machine to Machine Applications), or for a pasted token create one with those scopes.";
        if (readable == 0)
        {
            return (false, $"Connected to {config.BaseUri.Host}, but the credentials lack the scopes of every stream: {lacks}. {Where}");
        }

        return missing.Count == 0
            ? (true, $"Connected to {config.BaseUri.Host}; every stream's scope is granted.{notes}")
            : (true, $"Connected to {config.BaseUri.Host}; {readable} of {outcomes.Count} streams can be read. Missing scopes: {lacks}. A sync reads the others; these end INCOMPLETE with a config_error until the scopes are granted. {Where}{notes}");
    }
}
