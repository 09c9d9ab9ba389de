using Auth0Connector.Streams;

namespace Auth0Connector.Tests.Streams;

public class FanOutTests
{
    private sealed class Item(int parent, int index) : IDisposable
    {
        public int Parent { get; } = parent;

        public int Index { get; } = index;

        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    private static async IAsyncEnumerable<int> Parents(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return i;
        }
    }

    private static async IAsyncEnumerable<Item> Children(int parent, int failing, TimeSpan failAfter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var i = 0; i < 3; i++)
        {
            if (parent == failing && i == 1)
            {
                await Task.Delay(failAfter, cancellationToken);
                throw new InvalidDataException($"child {parent} failed");
            }

            await Task.Yield();
            yield return new Item(parent, i);
        }
    }

    [Fact]
    public async Task Every_child_item_arrives_once()
    {
        var seen = new List<(int, int)>();
        await foreach (var item in FanOut.ItemsAsync(Parents(50), (p, t) => Children(p, failing: -1, TimeSpan.Zero, t), 4, CancellationToken.None))
        {
            seen.Add((item.Parent, item.Index));
            item.Dispose();
        }

        Assert.Equal(150, seen.Distinct().Count());
    }

    [Theory]
    [InlineData(3, 0)]   // fails while parents are still being handed out
    [InlineData(49, 0)]  // the last parent fails
    [InlineData(10, 50)] // fails a little later, after other children have taken its slot
    public async Task A_failing_child_is_never_swallowed(int failing, int failAfterMs)
    {
        var error = await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            await foreach (var item in FanOut.ItemsAsync(Parents(50), (p, t) => Children(p, failing, TimeSpan.FromMilliseconds(failAfterMs), t), 2, CancellationToken.None))
            {
                item.Dispose();
            }
        });

        Assert.Equal($"child {failing} failed", error.Message);
    }

    [Fact]
    public async Task A_failing_child_stops_its_siblings_instead_of_waiting_for_them()
    {
        // The last parents: one fails at once, the other would run for a minute.
        static async IAsyncEnumerable<Item> Child(int parent, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            if (parent == 0)
            {
                await Task.Delay(TimeSpan.FromMinutes(1), cancellationToken);
            }
            else
            {
                await Task.Delay(20, cancellationToken);
                throw new InvalidDataException("child 1 failed");
            }

            yield return new Item(parent, 0);
        }

        var run = Task.Run(async () =>
        {
            await foreach (var item in FanOut.ItemsAsync(Parents(2), Child, 2, CancellationToken.None))
            {
                item.Dispose();
            }
        });

        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.Same(run, finished);
        await Assert.ThrowsAsync<InvalidDataException>(() => run);
    }
}
