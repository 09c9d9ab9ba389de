using System.Text.Json;
using Auth0Connector.Configuration;
using Auth0Connector.Streams;

namespace Auth0Connector.Tests.Streams;

public class UsersStateTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Fact]
    public void Airbyte_source_auth0_state_is_just_a_cursor()
    {
        var stream = new UsersStream();
        var state = Json("""{"updated_at":"2024-05-06T07:08:09.123Z"}""");

        stream.ValidateState(state);
        Assert.Equal(new DateTimeOffset(2024, 5, 6, 7, 8, 9, 123, TimeSpan.Zero), UsersStream.ReadStateCursor(state));
        Assert.Empty(UsersStream.ReadSavedRanges(state));
    }

    [Fact]
    public void Ranges_of_an_interrupted_sync_are_read_in_order()
    {
        var ranges = UsersStream.ReadSavedRanges(Json("""
            {"updated_at":"2024-01-01T00:00:00.000Z","ranges":[
              {"lower":"2024-03-01T00:00:00.000Z","upper":"2024-04-01T00:00:00.000Z","done":true},
              {"lower":"2024-01-01T00:00:00.000Z","upper":"2024-03-01T00:00:00.000Z","reached":"2024-02-01T00:00:00.000Z","done":false}]}
            """));

        Assert.Equal(2, ranges.Count);
        Assert.Equal(new DateTimeOffset(2024, 2, 1, 0, 0, 0, TimeSpan.Zero), ranges[0].Reached);
        Assert.False(ranges[0].Done);
        Assert.True(ranges[1].Done);
    }

    [Theory]
    [InlineData("""{"updated_at":"2024-01-01T00:00:00Z","ranges":"x"}""")]
    [InlineData("""{"updated_at":"2024-01-01T00:00:00Z","ranges":[{"lower":"2024-02-01T00:00:00Z"}]}""")]
    [InlineData("""{"updated_at":"2024-01-01T00:00:00Z","ranges":[{"lower":"2024-02-01T00:00:00Z","upper":"2024-01-15T00:00:00Z"}]}""")]
    public void Malformed_ranges_are_a_config_error_naming_the_field(string state)
    {
        var error = Assert.Throws<ConfigException>(() => new UsersStream().ValidateState(Json(state)));

        Assert.Equal("state.users.ranges", error.Field);
    }
}
