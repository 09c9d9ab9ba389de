using System.Text.Json;
using Auth0Connector.Configuration;
using Auth0Connector.State;

namespace Auth0Connector.Tests.State;

public class InputStateTests
{
    private static Dictionary<string, string> Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return InputState.Parse(document.RootElement).ToDictionary(p => p.Key, p => p.Value.GetRawText());
    }

    [Fact]
    public void Per_stream_array_format()
    {
        var states = Parse("""
            [{"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"updated_at":"2024-01-02T03:04:05.678Z"}}},
             {"type":"STREAM","stream":{"stream_descriptor":{"name":"clients"},"stream_state":{"__ab_no_cursor_state_message":true}}}]
            """);

        Assert.Equal("""{"updated_at":"2024-01-02T03:04:05.678Z"}""", states["users"]);
        Assert.Contains("clients", states.Keys);
    }

    [Fact]
    public void Legacy_single_object_format()
    {
        var states = Parse("""{"users":{"updated_at":"2024-01-02T03:04:05.678Z"}}""");

        Assert.Equal("""{"updated_at":"2024-01-02T03:04:05.678Z"}""", states["users"]);
    }

    [Fact]
    public void Legacy_message_and_global_formats()
    {
        Assert.Contains("users", Parse("""[{"type":"LEGACY","data":{"users":{"updated_at":"2024-01-01T00:00:00Z"}}}]""").Keys);
        Assert.Contains("users", Parse("""{"type":"GLOBAL","global":{"shared_state":{},"stream_states":[{"stream_descriptor":{"name":"users"},"stream_state":{"updated_at":"2024-01-01T00:00:00Z"}}]}}""").Keys);
    }

    [Fact]
    public void Whole_STATE_messages_as_read_printed_them_are_understood()
    {
        var states = Parse("""[{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"updated_at":"2024-01-01T00:00:00Z"}},"sourceStats":{"recordCount":3.0}}}]""");

        Assert.Equal("""{"updated_at":"2024-01-01T00:00:00Z"}""", states["users"]);
    }

    [Fact]
    public void Empty_states_are_fine()
    {
        Assert.Empty(Parse("[]"));
        Assert.Empty(Parse("{}"));
        Assert.Empty(Parse("null"));
    }

    [Theory]
    [InlineData("42", "state")]
    [InlineData("""[{"type":"STREAM"}]""", "state[0].stream")]
    [InlineData("""[{"type":"STREAM","stream":{"stream_state":{}}}]""", "state[0].stream.stream_descriptor")]
    [InlineData("""[{"type":"WHATEVER"}]""", "state[0].type")]
    [InlineData("""{"users":"2024-01-01"}""", "state.users")]
    public void Malformed_states_name_the_field(string json, string field)
    {
        using var document = JsonDocument.Parse(json);
        var error = Assert.Throws<ConfigException>(() => InputState.Parse(document.RootElement));

        Assert.Equal(field, error.Field);
    }

    private static IReadOnlyList<string> WarningsFor(string json, params (string Name, string? CursorField)[] catalog)
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, json);
            using var state = InputState.Load(file);
            return state.Warnings(catalog, ["clients", "organizations", "organization_members", "organization_member_roles", "users"]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Warnings_StateOfThisConnectorForTheCatalog_None()
    {
        var warnings = WarningsFor(
            """[{"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"updated_at":"2024-01-02T03:04:05.678Z"}}}]""",
            ("users", "updated_at"), ("clients", null));

        Assert.Empty(warnings);
    }

    [Fact]
    public void Warnings_StreamsOfAnotherConnectorOrNotSelected_NameEachIgnoredStream()
    {
        var warnings = WarningsFor(
            """
            [{"type":"STREAM","stream":{"stream_descriptor":{"name":"tickets"},"stream_state":{"updated_at":"2024-01-01T00:00:00Z"}}},
             {"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"updated_at":"2024-01-01T00:00:00Z"}}}]
            """,
            ("clients", null));

        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.Contains("'tickets'", StringComparison.Ordinal) && w.Contains("not a stream of this connector", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("'users'", StringComparison.Ordinal) && w.Contains("does not select", StringComparison.Ordinal));
    }

    [Fact]
    public void Warnings_GlobalAndLegacyStates_SayWhatIsIgnoredAndWhatIsRead()
    {
        var global = WarningsFor(
            """{"type":"GLOBAL","global":{"shared_state":{"cdc":"x"},"stream_states":[]}}""", ("users", "updated_at"));
        var legacy = WarningsFor("""{"users":{"updated_at":"2024-01-01T00:00:00Z"}}""", ("users", "updated_at"));

        Assert.Contains("GLOBAL", Assert.Single(global), StringComparison.Ordinal);
        Assert.Contains("shared_state is ignored", global[0], StringComparison.Ordinal);
        Assert.Contains("every stream is read from the start", global[0], StringComparison.Ordinal);
        Assert.Contains("legacy state", Assert.Single(legacy), StringComparison.Ordinal);
    }

    [Fact]
    public void Warnings_UsersStateWithoutItsCursor_SaysUsersAreReadAgain()
    {
        var warnings = WarningsFor(
            """[{"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"last_sync":"2024-01-01"}}}]""",
            ("users", "updated_at"));

        var warning = Assert.Single(warnings);
        Assert.Contains("no 'updated_at' cursor", warning, StringComparison.Ordinal);
        Assert.Contains("'last_sync'", warning, StringComparison.Ordinal);
        Assert.Contains("read again", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Warnings_EmptyUsersStateOfAnEmptyTenant_None()
    {
        Assert.Empty(WarningsFor(
            """[{"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{}}}]""", ("users", "updated_at")));
    }
}
