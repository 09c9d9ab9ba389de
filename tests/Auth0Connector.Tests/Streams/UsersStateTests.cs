using System.Text.Json;
using Auth0Connector.Configuration;
using Auth0Connector.Streams;
using Auth0Connector.Streams.Cursors;
using Auth0Connector.Streams.Definitions;

namespace Auth0Connector.Tests.Streams;

public class UsersStateTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Fact]
    public void Airbyte_source_auth0_state_is_just_a_cursor()
    {
        var stream = new DefinedStream(Users.Definition);
        var state = Json("""{"updated_at":"2024-05-06T07:08:09.123Z"}""");

        stream.ValidateState(state);
        Assert.Equal(new DateTimeOffset(2024, 5, 6, 7, 8, 9, 123, TimeSpan.Zero), UsersState.ReadCursor(state));
        Assert.Empty(UsersState.ReadSavedRanges(state));
    }

    [Fact]
    public void Ranges_of_an_interrupted_sync_are_read_in_order()
    {
        var ranges = UsersState.ReadSavedRanges(Json("""
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
        var error = Assert.Throws<ConfigException>(() => new DefinedStream(Users.Definition).ValidateState(Json(state)));

        Assert.Equal("state.users.ranges", error.Field);
    }

    [Theory]
    [InlineData("3021-01-01T00:00:00.000Z")]
    [InlineData("3021-01-01")]
    [InlineData("2026-01-01T00:00:00.001Z")]
    public void After_CursorAfterTheSyncStart_NamesTheCursorAndItsValue(string cursor)
    {
        var state = Json($$"""{"updated_at":"{{cursor}}"}""");
        new DefinedStream(Users.Definition).ValidateState(state);

        var after = UsersState.After(UsersState.ReadCursor(state), UsersState.ReadSavedRanges(state), Now);

        Assert.NotNull(after);
        Assert.Equal("updated_at", after.Value.Field);
        Assert.Equal(UsersState.ReadCursor(state), after.Value.Value);
    }

    [Theory]
    [InlineData("1970-01-01T00:00:00.000Z")]
    [InlineData("1999-12-31T23:59:59.999Z")]
    [InlineData("2026-01-01T00:00:00.000Z")]
    public void After_CursorBeforeOrAtTheSyncStart_NoneEvenBefore2000(string cursor)
    {
        var state = Json($$"""{"updated_at":"{{cursor}}"}""");
        new DefinedStream(Users.Definition).ValidateState(state);

        Assert.Null(UsersState.After(UsersState.ReadCursor(state), UsersState.ReadSavedRanges(state), Now));
    }

    [Fact]
    public void After_RangeTimestampInTheFarFuture_NamesTheRanges()
    {
        var state = Json("""
            {"updated_at":"2024-01-01T00:00:00Z","ranges":[{"lower":"2024-02-01T00:00:00Z","upper":"2099-01-01T00:00:00Z"}]}
            """);
        new DefinedStream(Users.Definition).ValidateState(state);

        var after = UsersState.After(UsersState.ReadCursor(state), UsersState.ReadSavedRanges(state), Now);

        Assert.Equal(("ranges", new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero)), after);
    }

    [Fact]
    public void ReadSavedRanges_HundredThousandRanges_CompactedResumingAtTheEarliestUnfinishedPosition()
    {
        var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var entries = Enumerable.Range(0, 100_000).Select(i =>
        {
            var lower = UsersCursor.Format(start.AddMinutes(i));
            var upper = UsersCursor.Format(start.AddMinutes(i + 1));
            // Every range done but the 50,000th, which had got half-way.
            return i == 50_000
                ? $$"""{"lower":"{{lower}}","upper":"{{upper}}","reached":"{{UsersCursor.Format(start.AddMinutes(i + 0.5))}}","done":false}"""
                : $$"""{"lower":"{{lower}}","upper":"{{upper}}","done":true}""";
        });

        var ranges = UsersState.ReadSavedRanges(Json($$"""{"updated_at":"2024-01-01T00:00:00.000Z","ranges":[{{string.Join(",", entries)}}]}"""));

        Assert.InRange(ranges.Count, 1, UsersState.MaxSavedRanges);
        Assert.Equal(start, ranges[0].Lower);
        Assert.Equal(start.AddMinutes(100_000), ranges[^1].Upper);
        var open = Assert.Single(ranges, r => !r.Done);
        Assert.Equal(start.AddMinutes(50_000.5), open.Reached);
        Assert.InRange(open.Lower, start, start.AddMinutes(50_000));
    }
}
