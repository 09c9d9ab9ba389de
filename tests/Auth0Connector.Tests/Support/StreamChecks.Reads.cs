using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Auth0Connector.Tests.Support;

/// <summary>What the stream tests of one definition each check: a whole read, its requests, its schema, its failures.</summary>
internal static partial class StreamChecks
{
    /// <summary>Reads <paramref name="streams"/> (full refresh) from <paramref name="tenant"/>; <paramref name="extra"/> adds config settings.</summary>
    public static Task<ConnectorRun> ReadAsync(this TempFiles files, FakeTenant.FakeTenant tenant, string[] streams, string extra = "") =>
        ConnectorRun.InvokeAsync(["read", "--config", files.ClientCredentialsConfig(tenant, extra), "--catalog", files.Catalog(streams)]);

    /// <summary>The stream ran to COMPLETE with no error, and no request was refused with a 400 (the 1000 cap, a page size).</summary>
    public static void AssertComplete(ConnectorRun run, FakeTenant.FakeTenant tenant, string stream)
    {
        run.AssertComplete(stream);
        AssertNoRequestRejected(tenant);
    }

    /// <summary>The path and query of every request the tenant answered whose path starts with <paramref name="pathPrefix"/>, in arrival order.</summary>
    public static List<string> Requests(FakeTenant.FakeTenant tenant, string pathPrefix) =>
        [.. tenant.Server.LogEntries.Select(e => e.RequestMessage).Where(r => r?.Path?.StartsWith(pathPrefix, StringComparison.Ordinal) == true)
            .OrderBy(r => r!.DateTime).Select(r => r!.Path + r.RawQuery)];

    /// <summary>Each record's JSON equals <paramref name="served"/> (matched by <paramref name="key"/>) plus the added fields, nothing else.</summary>
    public static void AssertPassedThrough(IEnumerable<JsonElement> records, IEnumerable<JsonObject> served, Func<JsonNode, string> key, params (string Name, string Value)[] added)
    {
        var byKey = served.ToDictionary(s => key(s), StringComparer.Ordinal);
        foreach (var record in records)
        {
            var node = JsonNode.Parse(record.GetRawText())!;
            var expected = (JsonObject)byKey[key(node)].DeepClone();
            foreach (var (name, value) in added)
            {
                expected[name] = value;
            }

            Assert.True(JsonNode.DeepEquals(expected, node), $"record changed in transit:\n{record.GetRawText()}\nserved:\n{expected.ToJsonString()}");
        }
    }

    /// <summary>One GET of the fake's Management API with a token of <paramref name="scopes"/> (default: all): status and body.</summary>
    public static async Task<(int Status, JsonNode Body)> GetAsync(FakeTenant.FakeTenant tenant, string pathAndQuery, IEnumerable<string>? scopes = null)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{tenant.BaseUrl}/api/v2/{pathAndQuery}");
        request.Headers.Authorization = new("Bearer", tenant.IssueToken(scopes));
        using var response = await http.SendAsync(request);
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    /// <summary>The property names of an envelope, in order.</summary>
    public static string[] Keys(JsonNode envelope) => [.. envelope.AsObject().Select(p => p.Key)];

    /// <summary>Runs check against <paramref name="tenant"/>: SUCCEEDED, and no request refused with a 400.</summary>
    public static async Task<ConnectorRun> AssertCheckSucceedsAsync(this TempFiles files, FakeTenant.FakeTenant tenant)
    {
        var run = await ConnectorRun.InvokeAsync(["check", "--config", files.ClientCredentialsConfig(tenant)]);
        var status = run.ConnectionStatus;
        Assert.True(status.GetProperty("status").GetString() == "SUCCEEDED", status.GetRawText());
        AssertNoRequestRejected(tenant);
        return run;
    }

    /// <summary>From now on <paramref name="path"/> (and its query) answers 404 with Auth0's body: its parent was deleted after it was listed.</summary>
    public static void Vanish(FakeTenant.FakeTenant tenant, string path, string message) =>
        tenant.Server.Given(Request.Create().WithPath(path).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(404).WithHeader("Content-Type", "application/json")
                .WithBody(new JsonObject { ["statusCode"] = 404, ["error"] = "Not Found", ["message"] = message }.ToJsonString()));

    /// <summary>The WARN logs that name <paramref name="text"/>.</summary>
    public static List<string> Warnings(ConnectorRun run, string text) =>
        [.. run.Warnings.Where(m => m.Contains(text, StringComparison.Ordinal))];

    /// <summary>The stream read past its vanished parent <paramref name="gone"/>: COMPLETE, with one WARN naming the parent and the 404.</summary>
    public static void AssertSkippedVanishedParent(ConnectorRun run, string stream, string gone)
    {
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses(stream));
        Assert.Contains("(HTTP 404)", Assert.Single(Warnings(run, gone)), StringComparison.Ordinal);
    }

    /// <summary>
    /// Reads <paramref name="stream"/> and <c>clients</c> from a small tenant whose grant lacks <paramref name="missing"/>:
    /// the stream fails alone with a config_error naming it and every one of <paramref name="named"/>; clients completes;
    /// check passes, naming each missing scope with the stream.
    /// </summary>
    public static async Task AssertMissingScopeAsync(this TempFiles files, string stream, string[] missing, params string[] named)
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenant.FakeTenantOptions
        {
            Users = 20,
            Organizations = 2,
            MembersPerOrganization = 2,
            GrantedScopes = [.. FakeTenant.FakeTenant.AllScopes.Except(missing)],
        });

        var run = await files.ReadAsync(tenant, [stream, "clients"]);
        var check = await ConnectorRun.InvokeAsync(["check", "--config", files.ClientCredentialsConfig(tenant)]);

        AssertMissingScope(run, stream, named);
        AssertClientsComplete(run, tenant);

        // check passes with partial scopes and names each missing one with the stream that needs it.
        var status = check.ConnectionStatus;
        var message = status.GetProperty("message").GetString()!;
        Assert.Equal("SUCCEEDED", status.GetProperty("status").GetString());
        var entry = MissingEntry(message, stream);
        Assert.All(missing, scope => Assert.Contains(scope, entry, StringComparison.Ordinal));
    }

    /// <summary>
    /// check's entry for <paramref name="stream"/> in its list of missing scopes, grouped by what is lacking:
    /// <c>read:roles (streams roles, role_users, role_permissions)</c> or <c>read:logs (stream logs)</c>.
    /// </summary>
    public static string MissingEntry(string message, string stream)
    {
        var list = message.Split(["Missing scopes: ", "of every stream: "], StringSplitOptions.None).Last();
        var entries = list[..list.IndexOf(". ", StringComparison.Ordinal)].Split("; ").Where(e => e.Contains(" (stream", StringComparison.Ordinal)
            && e[(e.IndexOf(" (stream", StringComparison.Ordinal) + 1)..].Split([' ', ',', '(', ')', '.'], StringSplitOptions.RemoveEmptyEntries).Contains(stream)).ToList();
        return Assert.Single(entries);
    }

    /// <summary>Whether check's message names <paramref name="scope"/> as missing for <paramref name="stream"/>.</summary>
    public static void AssertNamesMissing(string message, string scope, string stream) =>
        Assert.StartsWith(scope + " (stream", MissingEntry(message, stream), StringComparison.Ordinal);

    /// <summary>clients, read in the same sync as a failing stream, is whole.</summary>
    public static void AssertClientsComplete(ConnectorRun run, FakeTenant.FakeTenant tenant)
    {
        Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses("clients"));
        Assert.Equal(tenant.Clients.Count, run.Records("clients").Count());
    }

    /// <summary>The stream ended INCOMPLETE without records, with one config_error naming it and every one of <paramref name="scopes"/>.</summary>
    private static void AssertMissingScope(ConnectorRun run, string stream, string[] scopes)
    {
        Assert.Equal(1, run.ExitCode);
        var statuses = run.Statuses(stream).ToList();
        Assert.Equal("STARTED", statuses[0]);
        Assert.Equal("INCOMPLETE", statuses[^1]);
        Assert.DoesNotContain("COMPLETE", statuses);
        Assert.Empty(run.Records(stream));
        var error = Assert.Single(run.Errors, e => e.GetProperty("stream_descriptor").GetProperty("name").GetString() == stream);
        Assert.Equal("config_error", error.GetProperty("failure_type").GetString());
        var message = error.GetProperty("message").GetString()!;
        Assert.Contains(stream, message, StringComparison.Ordinal);
        Assert.All(scopes, scope => Assert.Contains(scope, message, StringComparison.Ordinal));
    }
}
