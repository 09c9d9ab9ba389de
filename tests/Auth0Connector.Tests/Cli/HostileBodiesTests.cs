using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Auth0Connector.FakeTenant;
using Auth0Connector.Tests.Support;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Auth0Connector.Tests.Cli;

/// <summary>
/// A tenant whose answers are not what Auth0 sends (rows that are not objects, deep nesting, huge
/// numbers, junk bodies): every stdout line stays one whole protocol message and nothing crashes.
/// </summary>
public class HostileBodiesTests : IDisposable
{
    private const string Secret = "hostile-s3cr3t-1a2b3c4d";

    /// <summary>Server data is parsed this deep, so tests read the connector's lines the same way.</summary>
    private static readonly JsonDocumentOptions Deep = new() { MaxDepth = 10_000 };

    private readonly TempFiles _files = new();

    private static void Serve(FakeTenant.FakeTenant tenant, string pathPattern, string body) =>
        tenant.Server.Given(Request.Create().WithPath(new WildcardMatcher(pathPattern)).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body));

    private static JsonElement Parse(string line)
    {
        using var document = JsonDocument.Parse(line, Deep);
        return document.RootElement.Clone();
    }

    public static TheoryData<string, string, string, string> NonObjectRows()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var bad in (string[])["\"a string\"", "42", "null", "[1,2]"])
        {
            data.Add("clients", "/api/v2/clients", $$"""{"clients":[{"client_id":"ok"},{{bad}}],"start":0,"limit":50,"length":2,"total":2}""", bad);
            data.Add("organization_members", "/api/v2/organizations/*/members", $$"""{"members":[{"user_id":"auth0|ok"},{{bad}}]}""", bad);
            data.Add("organization_member_roles", "/api/v2/roles", $$"""{"roles":[{"id":"rol_ok","name":"ok"},{{bad}}],"start":0,"limit":50,"length":2,"total":2}""", bad);
            data.Add("organization_member_roles", "/api/v2/organizations/*/members", $$"""{"members":[{"user_id":"auth0|ok","roles":[{"id":"rol_ok","name":"ok"},{{bad}}]}]}""", bad);
            data.Add("users", "/api/v2/users", $$"""{"users":[{"user_id":"auth0|ok","updated_at":"2024-01-01T00:00:00.000Z"},{{bad}}],"start":0,"limit":100,"length":2,"total":2}""", bad);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(NonObjectRows))]
    public async Task Read_RowThatIsNotAnObject_FailsOnlyItsStreamWithAnErrorNamingTheEndpoint(string stream, string pathPattern, string body, string bad)
    {
        using var tenant = SmallTenant.Start(Secret);
        Serve(tenant, pathPattern, body);
        var other = stream == "clients" ? "organizations" : "clients";

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog([stream, other], usersFullRefresh: true)]);

        Assert.Equal(1, run.ExitCode);
        var error = Assert.Single(run.Errors);
        Assert.Equal("system_error", error.GetProperty("failure_type").GetString());
        Assert.Equal(stream, error.GetProperty("stream_descriptor").GetProperty("name").GetString());
        var message = error.GetProperty("message").GetString()!;
        Assert.Contains(pathPattern.Split('*')[0], message, StringComparison.Ordinal);
        Assert.Contains("not a JSON object", message, StringComparison.Ordinal);
        Assert.All(run.OfType("RECORD"), r => Assert.Equal(JsonValueKind.Object, r.GetProperty("record").GetProperty("data").ValueKind));
        Assert.Equal("INCOMPLETE", run.Statuses(stream).Last());
        Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses(other));
        Assert.NotEmpty(run.Records(other));
        Assert.False(string.IsNullOrEmpty(bad));
    }

    [Fact]
    public async Task Read_UsersExportLineThatIsNotAnObject_FailsTheUsersStreamNamingTheExport()
    {
        // More than 1000 users in one millisecond are read through an export job.
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 2_000, UsersSharingOneTimestamp = 1_100, Organizations = 0, ExportJobPolls = 1, ClientSecret = Secret });
        using var gzipped = new MemoryStream();
        using (var gzip = new GZipStream(gzipped, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write("{\"user_id\":\"auth0|x\",\"updated_at\":\"2024-01-01T00:00:00.000Z\"}\n42\n"u8);
        }

        tenant.Server.Given(Request.Create().WithPath(new WildcardMatcher("/exports/*")).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/gzip").WithBody(gzipped.ToArray()));

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["users", "clients"], usersFullRefresh: true)]);

        Assert.Equal(1, run.ExitCode);
        var error = Assert.Single(run.Errors);
        Assert.Equal("users", error.GetProperty("stream_descriptor").GetProperty("name").GetString());
        Assert.Contains("users export", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("not a JSON object", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("INCOMPLETE", run.Statuses("users").Last());
        Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses("clients"));
    }

    private static string Nested(int depth, string leaf)
    {
        var text = new StringBuilder();
        for (var i = 0; i < depth; i++)
        {
            text.Append("{\"n\":");
        }

        text.Append(leaf);
        text.Append('}', depth);
        return text.ToString();
    }

    [Fact]
    public async Task Read_UserNested1000LevelsWithHugeNumbers_PassesThroughByteForByte()
    {
        using var tenant = SmallTenant.Start(Secret);
        var user = $$"""{"user_id":"auth0|deep","updated_at":"2024-01-01T00:00:00.000Z","big":1e400,"long":123456789012345678901234567890,"app_metadata":{{Nested(1_000, "1e400")}}}""";
        Serve(tenant, "/api/v2/users", $$"""{"users":[{{user}}],"start":0,"limit":100,"length":1,"total":1}""");
        var member = $$"""{"user_id":"auth0|deep","big":1e400,"long":123456789012345678901234567890,"meta":{{Nested(1_000, "123456789012345678901234567890")}}}""";
        Serve(tenant, "/api/v2/organizations/*/members", $$"""{"members":[{{member}}]}""");

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["users", "organization_members"], usersFullRefresh: true)], validate: false);

        Assert.True(run.ExitCode == 0, string.Join("\n", run.Lines.Where(l => !l.Contains("RECORD", StringComparison.Ordinal))));
        var records = run.Lines.Select(Parse).Where(m => m.GetProperty("type").GetString() == "RECORD").Select(m => m.GetProperty("record")).ToList();
        var users = records.Where(r => r.GetProperty("stream").GetString() == "users").Select(r => r.GetProperty("data").GetRawText()).ToList();
        Assert.NotEmpty(users);
        Assert.All(users, u => Assert.Equal(user, u));
        var members = records.Where(r => r.GetProperty("stream").GetString() == "organization_members").Select(r => r.GetProperty("data")).ToList();
        Assert.Equal(tenant.Organizations.Count, members.Count);
        foreach (var data in members)
        {
            var orgId = data.GetProperty("org_id").GetString();
            Assert.Equal($$"""{"org_id":{{JsonSerializer.Serialize(orgId)}},{{member[1..]}}""", data.GetRawText());
        }
    }

    /// <summary>Junk of every kind, from a fixed seed so a failure can be replayed.</summary>
    private static IEnumerable<string> JunkBodies(int seed)
    {
        var random = new Random(seed);
        string[] fragments = ["{", "}", "[", "]", "\"", ":", ",", "null", "true", "1e400", "\"members\"", "\"clients\"", "\"users\"", "\"roles\"", "\"next\"", "\"total\"", "\\u0000", "\"\\ud800\"", "-", "0.", "\u00ff"];
        yield return "{\"members\": [{\"user_id\": \"a\"}";
        yield return "{\"clients\": {\"client_id\": \"x\"}}";
        yield return "{\"users\": \"not an array\", \"total\": \"many\"}";
        yield return "{\"roles\": [], \"total\": -1}";
        yield return "[{\"client_id\": \"" + new string('x', 2_000_000) + "\"}, 7]";
        yield return string.Empty;
        yield return "\"just a string\"";
        for (var i = 0; i < 12; i++)
        {
            var body = new StringBuilder();
            for (var j = random.Next(1, 60); j > 0; j--)
            {
                body.Append(fragments[random.Next(fragments.Length)]);
            }

            yield return body.ToString();
        }
    }

    [Fact]
    public async Task Read_JunkBodiesOnEveryEndpoint_NeverCrashesAndEveryLineIsAWholeMessage()
    {
        foreach (var junk in JunkBodies(seed: 11))
        {
            using var tenant = SmallTenant.Start(Secret);
            foreach (var path in (string[])["/api/v2/clients", "/api/v2/organizations/*/members", "/api/v2/roles", "/api/v2/users"])
            {
                Serve(tenant, path, junk);
            }

            // No retries: an empty or cut-off body is retried as a transport fault, which only costs time here.
            var config = _files.ClientCredentialsConfig(tenant, """, "max_retries": 0""");
            var run = await ConnectorRun.InvokeAsync(["read", "--config", config, "--catalog", _files.Catalog(TenantFiles.AllStreams, usersFullRefresh: true)]);

            var shown = junk.Length > 200 ? junk[..200] : junk;
            Assert.True(run.ExitCode == 1, $"exit {run.ExitCode} for body {shown}");
            Assert.All(run.OfType("RECORD"), r => Assert.Equal(JsonValueKind.Object, r.GetProperty("record").GetProperty("data").ValueKind));
            Assert.Contains(run.Errors, e => e.GetProperty("failure_type").GetString() == "system_error");
            Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses("organizations"));
        }
    }

    public void Dispose() => _files.Dispose();
}
