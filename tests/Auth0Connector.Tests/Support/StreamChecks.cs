using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Auth0Connector.Protocol;
using Json.Schema;

namespace Auth0Connector.Tests.Support;

/// <summary>What every stream's tests assert: exact record sets passed through unchanged, schema fit, scopes, secrets.</summary>
internal static partial class StreamChecks
{
    private static readonly EvaluationOptions Strict = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    /// <summary>
    /// The stream's records are exactly <paramref name="expected"/> (each once, compared by <paramref name="key"/>),
    /// each passed through byte-for-byte equal as JSON (unknown fields kept), and each fits the stream's schema.
    /// </summary>
    public static void AssertExactly(ConnectorRun run, string stream, IReadOnlyList<JsonObject> expected, string key)
    {
        var records = run.Records(stream).ToList();
        Assert.Equal(expected.Select(o => (string)o[key]!).Order(StringComparer.Ordinal), records.Select(r => r.GetProperty(key).GetString()!).Order(StringComparer.Ordinal));
        var byKey = expected.ToDictionary(o => (string)o[key]!, StringComparer.Ordinal);
        foreach (var record in records)
        {
            Assert.True(JsonNode.DeepEquals(byKey[record.GetProperty(key).GetString()!], JsonNode.Parse(record.GetRawText())), $"{stream} record changed in transit: {record.GetRawText()}");
        }

        AssertFitTheSchema(stream, records);
    }

    /// <summary>Every record validates against the stream's embedded schema (formats checked).</summary>
    public static void AssertFitTheSchema(string stream, IEnumerable<JsonElement> records)
    {
        var schema = JsonSchema.FromText(System.Text.Encoding.UTF8.GetString(EmbeddedSchemas.Read(stream)));
        var draft7 = MetaSchemas.Draft7.Evaluate(JsonDocument.Parse(EmbeddedSchemas.Read(stream)).RootElement);
        Assert.True(draft7.IsValid, $"{stream}: not a valid draft-7 schema");
        foreach (var record in records)
        {
            var result = schema.Evaluate(record, Strict);
            var problems = (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"));
            Assert.True(result.IsValid, $"{stream}: {string.Join("; ", problems)}\n{record.GetRawText()}");
        }
    }

    /// <summary>
    /// Without <paramref name="scope"/>, <paramref name="stream"/> ends INCOMPLETE with one config_error naming the
    /// stream and the scope, and another stream read in the same sync (clients) still completes.
    /// </summary>
    public static async Task AssertMissingScopeFailsOnlyTheStreamAsync(string stream, string scope)
    {
        using var files = new TempFiles();
        using var tenant = SmallTenant.Start("scope-test-secret", o => o.GrantedScopes = [.. FakeTenant.FakeTenant.AllScopes.Except([scope])]);

        var run = await ConnectorRun.InvokeAsync(["read", "--config", files.ClientCredentialsConfig(tenant), "--catalog", files.Catalog([stream, "clients"])]);

        AssertMissingScope(run, stream, [scope]);
        Assert.Equal(["STARTED", "INCOMPLETE"], run.Statuses(stream));
        Assert.Single(run.Errors);
        AssertClientsComplete(run, tenant);
    }

    /// <summary>
    /// check proves the stream's scope with one accepted request to <paramref name="path"/> (answered 200), and
    /// without <paramref name="scope"/> still succeeds, naming the scope and the stream.
    /// </summary>
    public static async Task AssertCheckProbesTheStreamAsync(string stream, string scope, string path)
    {
        using var files = new TempFiles();
        using var granted = SmallTenant.Start("check-test-secret");
        using var refused = SmallTenant.Start("check-test-secret", o => o.GrantedScopes = [.. FakeTenant.FakeTenant.AllScopes.Except([scope])]);

        var withScope = await ConnectorRun.InvokeAsync(["check", "--config", files.ClientCredentialsConfig(granted)]);
        var withoutScope = await ConnectorRun.InvokeAsync(["check", "--config", files.ClientCredentialsConfig(refused)]);

        Assert.Equal("SUCCEEDED", withScope.ConnectionStatus.GetProperty("status").GetString());
        Assert.DoesNotContain(stream, withScope.ConnectionStatus.GetProperty("message").GetString(), StringComparison.Ordinal);
        var probes = granted.Server.LogEntries.Where(e => e.RequestMessage?.Path == path).ToList();
        Assert.Equal(200, Assert.Single(probes).ResponseMessage?.StatusCode is int code ? code : 0);
        Assert.Equal("SUCCEEDED", withoutScope.ConnectionStatus.GetProperty("status").GetString());
        AssertNamesMissing(withoutScope.ConnectionStatus.GetProperty("message").GetString()!, scope, stream);
    }

    /// <summary>
    /// Each of <paramref name="secrets"/> reaches the destination in a RECORD (Auth0 returns it; records pass through)
    /// and appears nowhere else: no LOG, TRACE, STATE or other line, nothing on stderr.
    /// </summary>
    public static void AssertSecretsOnlyInRecords(ConnectorRun run, IReadOnlyCollection<string> secrets)
    {
        Assert.NotEmpty(secrets);
        var records = run.Lines.Where(IsRecord).ToList();
        var others = run.Lines.Where(l => !IsRecord(l)).ToList();
        Assert.NotEmpty(others);
        foreach (var secret in secrets)
        {
            Assert.Contains(records, l => l.Contains(JsonEncodedText.Encode(secret).ToString(), StringComparison.Ordinal));
            Assert.DoesNotContain(others, l => l.Contains(secret, StringComparison.Ordinal) || l.Contains(JsonEncodedText.Encode(secret).ToString(), StringComparison.Ordinal));
            Assert.DoesNotContain(secret, run.Stderr, StringComparison.Ordinal);
        }
    }

    private static bool IsRecord(string line) => line.StartsWith("{\"type\":\"RECORD\"", StringComparison.Ordinal);

    /// <summary>The query strings of the GET requests the tenant saw on <paramref name="path"/> (e.g. <c>/api/v2/connections</c>), in order.</summary>
    public static List<string> QueriesTo(FakeTenant.FakeTenant tenant, string path) =>
        [.. tenant.Server.LogEntries.Select(e => e.RequestMessage).OfType<WireMock.IRequestMessage>().OrderBy(r => r.DateTime)
            .Where(r => r.Path == path)
            .Select(r => (r.RawQuery ?? string.Empty).TrimStart('?'))];

    /// <summary>
    /// One WARN about <paramref name="stream"/>'s saved position: it names the stream and <paramref name="value"/>,
    /// says nothing is read and the state is kept, and how to reset the stream; no ERROR at all.
    /// </summary>
    public static void AssertFutureStateWarning(ConnectorRun run, string stream, string value)
    {
        var warning = Assert.Single(run.Warnings, w => w.StartsWith($"{stream}: the saved ", StringComparison.Ordinal));
        Assert.Contains(value, warning, StringComparison.Ordinal);
        Assert.Contains($"Nothing is read for {stream} in this sync and its state is kept as it is", warning, StringComparison.Ordinal);
        Assert.Contains($"reset the stream", warning, StringComparison.Ordinal);
        Assert.Contains($"remove {stream}'s entry from the state file", warning, StringComparison.Ordinal);
        Assert.Empty(run.Errors);
    }

    /// <summary>No request the tenant answered was a 400 (a page past the cap, a page size it refuses).</summary>
    public static void AssertNoRequestRejected(FakeTenant.FakeTenant tenant)
    {
        var rejected = tenant.Server.LogEntries.Where(e => e.ResponseMessage?.StatusCode is int code && code == (int)HttpStatusCode.BadRequest).ToList();
        Assert.True(rejected.Count == 0, $"requests rejected with 400: {string.Join(", ", rejected.Select(e => e.RequestMessage?.Url))}");
    }

    /// <summary>A configured catalog of one stream, incremental (append_dedup) or full refresh (overwrite).</summary>
    public static string Catalog(this TempFiles files, string stream, bool incremental)
    {
        var modes = incremental ? "\"full_refresh\", \"incremental\"" : "\"full_refresh\"";
        return files.Write($"catalog-{Guid.NewGuid():N}.json", $$"""
            {"streams": [{"stream": {"name": "{{stream}}", "json_schema": {}, "supported_sync_modes": [{{modes}}]},
                          "sync_mode": "{{(incremental ? "incremental" : "full_refresh")}}",
                          "destination_sync_mode": "{{(incremental ? "append_dedup" : "overwrite")}}"}]}
            """);
    }
}
