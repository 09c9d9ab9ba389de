using System.Text.Json;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Cli;

/// <summary>In-process runs of the command line that need no tenant.</summary>
public class CommandLineTests : IDisposable
{
    private readonly TempFiles _files = new();

    private string Config(string json = """{"base_url":"https://t.auth0.com","credentials":{"auth_type":"oauth2_access_token","access_token":"tok-abcdefgh"}}""") =>
        _files.Write("config.json", json);

    [Fact]
    public async Task Spec_prints_one_valid_SPEC_compatible_with_source_auth0()
    {
        var run = await ConnectorRun.InvokeAsync(["spec"]);

        Assert.Equal(0, run.ExitCode);
        var spec = Assert.Single(run.Lines);
        var connection = JsonDocument.Parse(spec).RootElement.GetProperty("spec").GetProperty("connectionSpecification");
        Assert.Equal(["base_url", "credentials"], connection.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        var options = connection.GetProperty("properties").GetProperty("credentials").GetProperty("oneOf").EnumerateArray().ToList();
        Assert.Equal(["oauth2_confidential_application", "oauth2_access_token"],
            options.Select(o => o.GetProperty("properties").GetProperty("auth_type").GetProperty("const").GetString()));
        Assert.True(options[0].GetProperty("properties").GetProperty("client_secret").GetProperty("airbyte_secret").GetBoolean());
        Assert.True(options[1].GetProperty("properties").GetProperty("access_token").GetProperty("airbyte_secret").GetBoolean());
        Assert.False(connection.GetProperty("properties").GetProperty("start_date").TryGetProperty("default", out _));
    }

    [Fact]
    public async Task Discover_lists_every_registry_stream_with_keys_and_modes()
    {
        var run = await ConnectorRun.InvokeAsync(["discover", "--config", Config()]);

        Assert.Equal(0, run.ExitCode);
        var streams = run.OfType("CATALOG").Single().GetProperty("catalog").GetProperty("streams").EnumerateArray()
            .ToDictionary(s => s.GetProperty("name").GetString()!);
        Assert.Equal(["clients", "organizations", "organization_members", "organization_member_roles", "users"], streams.Keys.Take(5));
        Assert.Equal(TenantFiles.AllStreams, streams.Keys);
        string Keys(string stream) => string.Join(",", streams[stream].GetProperty("source_defined_primary_key").EnumerateArray().Select(k => k[0].GetString()));
        Assert.Equal("client_id", Keys("clients"));
        Assert.Equal("id", Keys("organizations"));
        Assert.Equal("org_id,user_id", Keys("organization_members"));
        Assert.Equal("org_id,user_id,id", Keys("organization_member_roles"));
        Assert.Equal("user_id", Keys("users"));
        Assert.Equal(["full_refresh", "incremental"], streams["users"].GetProperty("supported_sync_modes").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("updated_at", streams["users"].GetProperty("default_cursor_field")[0].GetString());
        Assert.True(streams["users"].GetProperty("source_defined_cursor").GetBoolean());
        Assert.Equal(["full_refresh"], streams["clients"].GetProperty("supported_sync_modes").EnumerateArray().Select(m => m.GetString()));
        foreach (var stream in streams.Values)
        {
            Assert.True(stream.GetProperty("json_schema").GetProperty("additionalProperties").GetBoolean());
        }
    }

    [Theory]
    [InlineData("not json at all", "not valid JSON")]
    [InlineData("", "empty")]
    [InlineData("""{"base_url":"http://t.auth0.com","credentials":{"auth_type":"oauth2_access_token","access_token":"tok-abcdefgh"}}""", "https")]
    [InlineData("""{"base_url":"https://t.auth0.com","credentials":{"auth_type":"password","access_token":"tok-abcdefgh"}}""", "credentials.auth_type")]
    public async Task Discover_with_a_bad_config_is_a_config_error_naming_the_problem(string config, string expected)
    {
        var run = await ConnectorRun.InvokeAsync(["discover", "--config", Config(config)]);

        Assert.Equal(1, run.ExitCode);
        var error = Assert.Single(run.Errors);
        Assert.Equal("config_error", error.GetProperty("failure_type").GetString());
        Assert.Contains(expected, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(run.OfType("CATALOG"));
        run.AssertNoSecrets("tok-abcdefgh");
    }

    [Fact]
    public async Task A_missing_config_file_is_a_config_error()
    {
        var run = await ConnectorRun.InvokeAsync(["discover", "--config", "/nonexistent/config.json"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("does not exist", Assert.Single(run.Errors).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_with_a_bad_config_answers_FAILED_without_any_request()
    {
        var run = await ConnectorRun.InvokeAsync(["check", "--config", Config("""{"base_url":"http://example.com","credentials":{"auth_type":"oauth2_access_token","access_token":"tok-abcdefgh"}}""")]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("FAILED", run.ConnectionStatus.GetProperty("status").GetString());
        Assert.Contains("base_url", run.ConnectionStatus.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_with_an_unknown_stream_fails_before_any_request()
    {
        var catalog = _files.Write("catalog.json", """{"streams":[{"stream":{"name":"guardian_factors","json_schema":{},"supported_sync_modes":["full_refresh"]},"sync_mode":"full_refresh","destination_sync_mode":"overwrite"}]}""");

        var run = await ConnectorRun.InvokeAsync(["read", "--config", Config(), "--catalog", catalog]);

        Assert.Equal(1, run.ExitCode);
        var error = Assert.Single(run.Errors);
        Assert.Contains("catalog.streams[0].stream.name", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(run.OfType("RECORD"));
        Assert.Empty(run.OfType("STATE"));
    }

    [Fact]
    public async Task Read_with_an_unparsable_users_state_fails_before_any_request()
    {
        var catalog = _files.Write("catalog.json", """{"streams":[{"stream":{"name":"users","json_schema":{},"supported_sync_modes":["full_refresh","incremental"]},"sync_mode":"incremental","destination_sync_mode":"append"}]}""");
        var state = _files.Write("state.json", """[{"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"updated_at":"last tuesday"}}}]""");

        var run = await ConnectorRun.InvokeAsync(["read", "--config", Config(), "--catalog", catalog, "--state", state]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("state.users.updated_at", Assert.Single(run.Errors).GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(run.OfType("TRACE"), t => t.GetProperty("trace").GetProperty("type").GetString() == "STREAM_STATUS");
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("read", "--help")]
    [InlineData("check", "--help")]
    public async Task Help_works_on_every_command(params string[] args)
    {
        var run = await ConnectorRun.InvokeAsync(args, validate: false);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains(run.Lines, l => l.Contains("Usage", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--version")]
    [InlineData("read", "--version")]
    [InlineData("spec", "--version")]
    public async Task Version_prints_the_version_on_every_command(params string[] args)
    {
        var run = await ConnectorRun.InvokeAsync(args, validate: false);

        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", Assert.Single(run.Lines));
    }

    public void Dispose() => _files.Dispose();
}
