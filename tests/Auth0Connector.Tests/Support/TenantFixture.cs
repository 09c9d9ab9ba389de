using System.Text.Json;
using Auth0Connector.FakeTenant;

namespace Auth0Connector.Tests.Support;

/// <summary>Config and catalog files for runs against a fake tenant.</summary>
internal static class TenantFiles
{
    public static string ClientCredentialsConfig(this TempFiles files, FakeTenant.FakeTenant tenant, string extra = "")
    {
        var config = $$"""
            {"base_url": {{JsonSerializer.Serialize(tenant.BaseUrl)}},
             "credentials": {"auth_type": "oauth2_confidential_application",
                             "client_id": {{JsonSerializer.Serialize(tenant.Options.ClientId)}},
                             "client_secret": {{JsonSerializer.Serialize(tenant.Options.ClientSecret)}}}{{extra}}}
            """;
        return files.Write($"config-{Guid.NewGuid():N}.json", config);
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

    public static readonly string[] AllStreams = ["clients", "organizations", "organization_members", "organization_member_roles", "users"];

    /// <summary>Turns the last STATE of each stream of a run into a --state file (per-stream array format).</summary>
    public static string StateFrom(this TempFiles files, ConnectorRun run)
    {
        var last = run.OfType("STATE").Select(m => m.GetProperty("state"))
            .GroupBy(s => s.GetProperty("stream").GetProperty("stream_descriptor").GetProperty("name").GetString())
            .Select(g => g.Last().GetRawText());
        return files.Write($"state-{Guid.NewGuid():N}.json", $"[{string.Join(",", last.Select(s => s.Replace("\"sourceStats\"", "\"_ignored\"", StringComparison.Ordinal)))}]");
    }
}
