using System.Text.Json;
using Auth0Connector.Tests.Support;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Auth0Connector.Tests.Streams;

/// <summary>
/// A tenant answering the new streams with what Auth0 never sends (the wrong shape for a one-request
/// listing, log ids that are not ids): the stream fails with an ERROR naming the endpoint, and never
/// emits the wrong rows or writes a state the next sync refuses.
/// </summary>
public class HostileStreamsTests : IDisposable
{
    private const string Secret = "hostile-streams-s3cr3t-9z8y";

    private readonly TempFiles _files = new();

    private static void Serve(FakeTenant.FakeTenant tenant, string path, string body, params (string Name, string Value)[] query)
    {
        var request = Request.Create().WithPath(path).UsingGet();
        foreach (var (name, value) in query)
        {
            request = value == "*" ? request.WithParam(name) : request.WithParam(name, value);
        }

        tenant.Server.Given(request).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body));
    }

    private static void AssertOnlyStreamFails(ConnectorRun run, string stream, string endpoint, string other)
    {
        Assert.Equal(1, run.ExitCode);
        var error = Assert.Single(run.Errors);
        Assert.Equal(stream, error.GetProperty("stream_descriptor").GetProperty("name").GetString());
        Assert.Contains(endpoint, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(run.Records(stream));
        Assert.Equal("INCOMPLETE", run.Statuses(stream).Last());
        Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses(other));
    }

    public static TheoryData<string, string, string> WrongShapes() => new()
    {
        // A listing answered by one object would be emitted as one record without its key.
        { "signing_keys", "/api/v2/keys/signing", """{"kid":"k1","cert":"x"}""" },
        { "signing_keys", "/api/v2/keys/signing", """{"statusCode":200,"message":"ok"}""" },
        { "log_streams", "/api/v2/log-streams", """{"id":"lst_1","name":"x","type":"http"}""" },
        // The one-object settings answered by an array would be emitted as several tenants' settings.
        { "tenant_settings", "/api/v2/tenants/settings", """[{"friendly_name":"a"},{"friendly_name":"b"}]""" },
    };

    [Theory]
    [MemberData(nameof(WrongShapes))]
    public async Task Read_OneRequestListingOfTheWrongShape_FailsOnlyThatStreamNamingTheEndpoint(string stream, string path, string body)
    {
        using var tenant = SmallTenant.Start(Secret);
        Serve(tenant, path, body);

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog([stream, "clients"])]);

        AssertOnlyStreamFails(run, stream, path, "clients");
    }

    public static TheoryData<string> BadLogIds() => new()
    {
        "abc",
        "-1",
        "9002023060210580599660700000000000000122337204502930641390020230602105805996607000000000000001223",
        "９００２",
    };

    [Theory]
    [MemberData(nameof(BadLogIds))]
    public async Task Read_LogsWithAnIdThatIsNotALogId_FailsTheStreamWithoutSavingIt(string id)
    {
        using var tenant = SmallTenant.Start(Secret);
        var events = $$"""[{"log_id":{{JsonSerializer.Serialize(id)}},"date":"2024-01-01T00:00:00.000Z","type":"s"}]""";
        Serve(tenant, "/api/v2/logs", events, ("sort", "*"));
        Serve(tenant, "/api/v2/logs", "[]", ("from", "*"));

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["logs", "clients"])]);

        AssertOnlyStreamFails(run, "logs", "/api/v2/logs", "clients");
        Assert.DoesNotContain(run.States("logs"), s => s.GetRawText().Contains("log_id", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Read_LogsSearchPageWithoutIds_FailsTheStreamInsteadOfReportingNoEvents()
    {
        using var tenant = SmallTenant.Start(Secret);
        Serve(tenant, "/api/v2/logs", """[{"date":"2024-01-01T00:00:00.000Z","type":"s"},{"log_id":42,"type":"f"}]""", ("sort", "*"));

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["logs", "clients"])]);

        AssertOnlyStreamFails(run, "logs", "/api/v2/logs", "clients");
        Assert.Contains("log_id", run.Errors.Single().GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"roles":[42],"start":0,"limit":1,"length":1,"total":1}""")]
    [InlineData("""{"roles":["rol_1"],"start":0,"limit":1,"length":1,"total":1}""")]
    [InlineData("""{"rolez":[{"id":"rol_1"}]}""")]
    public async Task Check_ParentListingWithARowThatIsNotAnObject_FailsNamingTheEndpointInsteadOfSayingThereAreNone(string body)
    {
        using var tenant = SmallTenant.Start(Secret);
        Serve(tenant, "/api/v2/roles", body);

        var run = await ConnectorRun.InvokeAsync(["check", "--config", _files.ClientCredentialsConfig(tenant)]);

        Assert.Equal(0, run.ExitCode);
        var status = run.ConnectionStatus;
        Assert.Equal("FAILED", status.GetProperty("status").GetString());
        var message = status.GetProperty("message").GetString()!;
        Assert.Contains("/api/v2/roles", message, StringComparison.Ordinal);
        Assert.DoesNotContain("no roles", message, StringComparison.Ordinal);
        run.AssertNoSecrets(Secret);
    }

    [Theory]
    [InlineData("role_permissions", """{"name":"no id"}""")]
    [InlineData("role_users", """{"id":42,"name":"numeric id"}""")]
    [InlineData("role_users", """{"id":"","name":"empty id"}""")]
    public async Task Read_ParentRowWithoutItsKey_FailsTheChildStreamInsteadOfSkippingTheParent(string stream, string role)
    {
        using var tenant = SmallTenant.Start(Secret);
        Serve(tenant, "/api/v2/roles", $$"""{"roles":[{{role}}],"start":0,"limit":50,"length":1,"total":1}""");

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog([stream, "clients"])]);

        AssertOnlyStreamFails(run, stream, "/api/v2/roles", "clients");
        Assert.Contains("'id'", run.Errors.Single().GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Read_MemberWithoutUserId_FailsMemberRolesInsteadOfSkippingTheMember(bool withMembers)
    {
        using var tenant = SmallTenant.Start(Secret);
        tenant.Server.Given(Request.Create().WithPath(new WildcardMatcher("/api/v2/organizations/*/members")).UsingGet()).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody("""{"members":[{"email":"no-id@example.com","name":"No Id","roles":[{"id":"rol_1","name":"r"}]}]}"""));
        string[] streams = withMembers ? ["organization_members", "organization_member_roles", "clients"] : ["organization_member_roles", "clients"];

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(streams)]);

        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.Records("organization_member_roles"));
        Assert.Equal("INCOMPLETE", run.Statuses("organization_member_roles").Last());
        Assert.Contains(run.Errors, e => e.GetProperty("stream_descriptor").GetProperty("name").GetString() == "organization_member_roles"
            && e.GetProperty("message").GetString()!.Contains("'user_id'", StringComparison.Ordinal));
        Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses("clients"));
    }

    public void Dispose() => _files.Dispose();
}
