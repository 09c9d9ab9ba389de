using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Auth0Connector.Streams;

/// <summary>
/// Reads the children of many parents at once (members of several organizations, roles of
/// several members), at most <c>max_concurrency</c> at a time, and hands their pages over in
/// arrival order through a small bounded channel: memory stays at a few pages whatever the tenant's
/// size. The first failure cancels the other readers and is rethrown to the consumer.
/// </summary>
internal static class FanOut
{
    public static IAsyncEnumerable<JsonPage> PagesAsync<TParent>(
        IAsyncEnumerable<TParent> parents,
        Func<TParent, CancellationToken, IAsyncEnumerable<JsonPage>> childPages,
        int concurrency,
        CancellationToken cancellationToken) =>
        ItemsAsync(parents, childPages, concurrency, cancellationToken);

    /// <summary>The same for any disposable item (a page, a batch of users).</summary>
    public static async IAsyncEnumerable<TItem> ItemsAsync<TParent, TItem>(
        IAsyncEnumerable<TParent> parents,
        Func<TParent, CancellationToken, IAsyncEnumerable<TItem>> childPages,
        int concurrency,
        [EnumeratorCancellation] CancellationToken cancellationToken)
        where TItem : IDisposable
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateBounded<TItem>(new BoundedChannelOptions(Math.Max(2, concurrency * 2))
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var producer = Task.Run(() => ProduceAsync(parents, childPages, concurrency, channel.Writer, stop), CancellationToken.None);
        try
        {
            await foreach (var page in channel.Reader.ReadAllAsync(CancellationToken.None))
            {
                yield return page;
            }

            await producer; // rethrows the first failure
        }
        finally
        {
            await stop.CancelAsync();
            // The consumer stopped early (failure or cancellation): release what was read ahead.
            try
            {
                await producer;
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                // Already reported, or caused by our own cancellation.
            }

            while (channel.Reader.TryRead(out var unread))
            {
                unread.Dispose();
            }
        }
    }

    private static async Task ProduceAsync<TParent, TItem>(
        IAsyncEnumerable<TParent> parents,
        Func<TParent, CancellationToken, IAsyncEnumerable<TItem>> childPages,
        int concurrency,
        ChannelWriter<TItem> writer,
        CancellationTokenSource stop)
        where TItem : IDisposable
    {
        using var slots = new SemaphoreSlim(concurrency, concurrency);
        var running = new List<Task>();
        Exception? failure = null;
        try
        {
            await foreach (var parent in parents.WithCancellation(stop.Token))
            {
                await slots.WaitAsync(stop.Token);
                // A reader that failed since the last look: surface it before forgetting finished ones.
                if (running.FirstOrDefault(t => t.IsFaulted) is { } failed)
                {
                    await failed;
                }

                running.RemoveAll(t => t.IsCompletedSuccessfully);
                running.Add(Task.Run(async () =>
                {
                    try
                    {
                        await foreach (var page in childPages(parent, stop.Token).WithCancellation(stop.Token))
                        {
                            try
                            {
                                await writer.WriteAsync(page, stop.Token);
                            }
                            catch
                            {
                                page.Dispose();
                                throw;
                            }
                        }
                    }
                    finally
                    {
                        slots.Release();
                    }
                }, stop.Token));
                if (running.FirstOrDefault(t => t.IsFaulted) is { } faulted)
                {
                    await faulted; // surface the failure without waiting for the rest
                }
            }

            // The last readers: the first to fail stops the others at once (not after they finish).
            while (running.Count > 0)
            {
                var finished = await Task.WhenAny(running);
                running.Remove(finished);
                await finished;
            }
        }
        catch (Exception e)
        {
            failure = e is OperationCanceledException && !stop.IsCancellationRequested ? e : FirstReal(e, running);
            await stop.CancelAsync();
            try
            {
                await Task.WhenAll(running);
            }
            catch (Exception)
            {
                // The first failure is the one reported.
            }
        }
        finally
        {
            writer.TryComplete(failure);
        }

        if (failure is not null)
        {
            throw failure;
        }
    }

    /// <summary>A cancellation caused by a sibling's failure hides the real error: prefer the failure.</summary>
    private static Exception FirstReal(Exception caught, List<Task> running) =>
        caught is OperationCanceledException
            ? running.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault(e => e is not OperationCanceledException) ?? caught
            : caught;
}
