using System.Text.Json;
using Auth0Connector.FakeTenant;

namespace Auth0Connector.Tests.Support;

/// <summary>Config and catalog files for runs against a fake tenant.</summary>
internal static class TenantFiles
{
    /// <summary>
    /// A client-credentials config for <paramref name="tenant"/>; the named arguments replace its values
    /// (a wrong secret, say), and <paramref name="extra"/> adds top-level settings (<c>, "page_size": 30</c>).
    /// </summary>
    public static string ClientCredentialsConfig(this TempFiles files, FakeTenant.FakeTenant tenant, string extra = "",
        string? baseUrl = null, string? clientId = null, string? clientSecret = null, string? audience = null)
    {
        var audienceField = audience is null ? string.Empty : $", \"audience\": {JsonSerializer.Serialize(audience)}";
        var config = $$"""
            {"base_url": {{JsonSerializer.Serialize(baseUrl ?? tenant.BaseUrl)}},
             "credentials": {"auth_type": "oauth2_confidential_application",
                             "client_id": {{JsonSerializer.Serialize(clientId ?? tenant.Options.ClientId)}},
                             "client_secret": {{JsonSerializer.Serialize(clientSecret ?? tenant.Options.ClientSecret)}}{{audienceField}}}{{extra}}}
            """;
        return files.Write($"config-{Guid.NewGuid():N}.json", config);
    }

    /// <summary>A config with a pasted access token.</summary>
    public static string AccessTokenConfig(this TempFiles files, string baseUrl, string token) =>
        files.Write($"config-{Guid.NewGuid():N}.json", $$$"""
            {"base_url": {{{JsonSerializer.Serialize(baseUrl)}}},
             "credentials": {"auth_type": "oauth2_access_token", "access_token": {{{JsonSerializer.Serialize(token)}}}}}
            """);

    /// <summary>Every bearer token the tenant saw, read from the WireMock request log.</summary>
    public static List<string> BearerTokensSeen(this FakeTenant.FakeTenant tenant)
    {
        var tokens = new List<string>();
        foreach (var entry in tenant.Server.LogEntries)
        {
            foreach (var (name, values) in entry.RequestMessage?.Headers ?? new Dictionary<string, WireMock.Types.WireMockList<string>>())
            {
                if (string.Equals(name, "Authorization", StringComparison.OrdinalIgnoreCase))
                {
                    tokens.AddRange(values.Where(v => v.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)).Select(v => v[7..].Trim()));
                }
            }
        }

        return [.. tokens.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>A configured catalog; users is incremental unless <paramref name="usersFullRefresh"/>.</summary>
    public static string Catalog(this TempFiles files, IEnumerable<string> streams, bool usersFullRefresh = false)
    {
        var entries = streams.Select(name =>
        {
            var incremental = name == "users" && !usersFullRefresh;
            return $$"""
                {"stream": {"name": "{{name}}", "json_schema": {}, "supported_sync_modes": ["full_refresh"{{(name == "users" ? ", \"incremental\"" : "")}}]},
                 "sync_mode": "{{(incremental ? "incremental" : "full_refresh")}}",
                 "destination_sync_mode": "{{(incremental ? "append_dedup" : "overwrite")}}"}
                """;
        });
        return files.Write($"catalog-{Guid.NewGuid():N}.json", $$"""{"streams": [{{string.Join(",", entries)}}]}""");
    }

    /// <summary>Every stream, as the registry lists them: a stream added there is covered by every test that reads them all.</summary>
    public static readonly string[] AllStreams = [.. new Auth0Connector.Streams.StreamRegistry().All.Select(s => s.Name)];

    /// <summary>Turns the last STATE of each stream of a run into a --state file (per-stream array format).</summary>
    public static string StateFrom(this TempFiles files, ConnectorRun run)
    {
        var last = run.OfType("STATE").Select(m => m.GetProperty("state"))
            .GroupBy(s => s.GetProperty("stream").GetProperty("stream_descriptor").GetProperty("name").GetString())
            .Select(g => g.Last().GetRawText());
        return files.Write($"state-{Guid.NewGuid():N}.json", $"[{string.Join(",", last.Select(s => s.Replace("\"sourceStats\"", "\"_ignored\"", StringComparison.Ordinal)))}]");
    }
}
