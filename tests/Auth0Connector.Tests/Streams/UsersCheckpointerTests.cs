using Auth0Connector.Streams.Cursors;

namespace Auth0Connector.Tests.Streams;

/// <summary>The users cursor's checkpointer alone: when the state moves, what it saves, and that it never goes back.</summary>
public class UsersCheckpointerTests
{
    private static readonly DateTimeOffset A = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset B = new(2024, 2, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset C = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static List<UsersRange> TwoRanges() => [new(0, A, B, 10), new(1, B, C, 10)];

    private static UsersBatch Batch(UsersRange range, string? reached, bool complete) => new(null, [], range, reached, complete);

    [Fact]
    public void Record_BatchCompletingItsRange_True()
    {
        var ranges = TwoRanges();
        var checkpointer = new UsersCheckpointer(ranges, stateCursor: null);

        Assert.False(checkpointer.Record(Batch(ranges[0], "2024-01-05T00:00:00.000Z", complete: false)));
        Assert.True(checkpointer.Record(Batch(ranges[0], "2024-01-09T00:00:00.000Z", complete: true)));
    }

    [Fact]
    public void Checkpoint_LaterRangeDoneFirst_CursorStaysAtTheEarliestUnfinishedRangeWhichIsSavedWithTheRest()
    {
        var ranges = TwoRanges();
        var checkpointer = new UsersCheckpointer(ranges, stateCursor: null);

        checkpointer.Record(Batch(ranges[1], "2024-02-20T00:00:00.000Z", complete: true));

        Assert.Equal(
            """{"updated_at":"2024-01-01T00:00:00.000Z","ranges":[{"lower":"2024-01-01T00:00:00.000Z","upper":"2024-02-01T00:00:00.000Z","done":false},{"lower":"2024-02-01T00:00:00.000Z","upper":"2024-03-01T00:00:00.000Z","reached":"2024-02-20T00:00:00.000Z","done":true}]}""",
            checkpointer.Checkpoint());
    }

    [Fact]
    public void Checkpoint_FirstRangeMovesOnThenCompletes_CursorFollowsItThenSavesOnlyTheRangesAfter()
    {
        var ranges = TwoRanges();
        var checkpointer = new UsersCheckpointer(ranges, stateCursor: null);

        checkpointer.Record(Batch(ranges[0], "2024-01-10T00:00:00.000Z", complete: false));
        var moving = checkpointer.Checkpoint();
        checkpointer.Record(Batch(ranges[0], "2024-01-20T00:00:00.000Z", complete: true));
        var done = checkpointer.Checkpoint();

        Assert.StartsWith("""{"updated_at":"2024-01-10T00:00:00.000Z","ranges":[{"lower":"2024-01-01T00:00:00.000Z","upper":"2024-02-01T00:00:00.000Z","reached":"2024-01-10T00:00:00.000Z","done":false},""", moving, StringComparison.Ordinal);
        Assert.Equal("""{"updated_at":"2024-02-01T00:00:00.000Z","ranges":[{"lower":"2024-02-01T00:00:00.000Z","upper":"2024-03-01T00:00:00.000Z","done":false}]}""", done);
    }

    [Fact]
    public void Checkpoint_NothingMovedSinceTheLastOne_Null()
    {
        var ranges = TwoRanges();
        var checkpointer = new UsersCheckpointer(ranges, stateCursor: null);
        checkpointer.Record(Batch(ranges[0], "2024-01-10T00:00:00.000Z", complete: false));
        Assert.NotNull(checkpointer.Checkpoint());

        checkpointer.Record(Batch(ranges[0], reached: null, complete: false));

        Assert.Null(checkpointer.Checkpoint());
    }

    [Fact]
    public void Checkpoint_PositionBeforeTheInputStateCursor_NullSoTheCursorNeverGoesBack()
    {
        // The lookback starts the first range before the state's cursor.
        var ranges = TwoRanges();
        var checkpointer = new UsersCheckpointer(ranges, stateCursor: new DateTimeOffset(2024, 1, 15, 0, 0, 0, TimeSpan.Zero));

        checkpointer.Record(Batch(ranges[0], "2024-01-10T00:00:00.000Z", complete: false));

        Assert.Null(checkpointer.Checkpoint());
        Assert.Equal("""{"updated_at":"2024-01-15T00:00:00.000Z"}""", checkpointer.Final());
    }

    [Fact]
    public void Final_EveryRangeComplete_NewestPositionReachedAlone()
    {
        var ranges = TwoRanges();
        var checkpointer = new UsersCheckpointer(ranges, stateCursor: null);

        checkpointer.Record(Batch(ranges[1], "2024-02-27T00:00:00.000Z", complete: true));
        checkpointer.Record(Batch(ranges[0], "2024-01-31T00:00:00.000Z", complete: true));

        Assert.Null(checkpointer.Checkpoint());
        Assert.Equal("""{"updated_at":"2024-02-27T00:00:00.000Z"}""", checkpointer.Final());
    }

    [Fact]
    public void Final_EmptyTenantWithoutState_EmptyState()
    {
        var checkpointer = new UsersCheckpointer([new(0, null, C, 0)], stateCursor: null);

        checkpointer.Record(Batch(new(0, null, C, 0), reached: null, complete: true));

        Assert.Null(checkpointer.Checkpoint());
        Assert.Equal("{}", checkpointer.Final());
    }
}
