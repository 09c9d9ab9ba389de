using System.Text.Json;
using Auth0Connector.Http;

namespace Auth0Connector.Streams;

/// <summary>
/// The records-per-request setting shared by all paginators, and what the tenant has shown of its page size.
/// Public cloud tenants may cap <c>per_page</c> at 50 although the API documents 100: on that specific 400 we
/// step down once and go on, instead of failing the sync. A tenant may also cap it silently (fewer items than
/// asked while more remain): the first page that shows it (<see cref="Learn"/>) sets the size in force to what
/// the tenant really serves, and every listing asks that from then on.
/// </summary>
internal sealed class PageSize(int configured, Action<string>? learned = null)
{
    /// <summary>
    /// The size stepped down to, and the fewest a page of Auth0's holds when more were asked and more remain: its
    /// default <c>per_page</c>, and the smallest maximum any of its documentation gives.
    /// </summary>
    public const int Fallback = 50;
    private readonly SemaphoreSlim _trial = new(1, 1);
    private int _value = configured;
    private int _confirmed;           // the size an answer has accepted (0: none yet)
    private int _largestServed;       // the most items one page of the tenant has held
    private int _learned;             // the size the tenant was seen to serve silently (0: none)

    public int Value => Volatile.Read(ref _value);

    /// <summary>
    /// The fewest items a page holds when it is not a listing's last, as far as the tenant has shown: the size it
    /// was found to serve silently, else the most one page has held (at least <see cref="Fallback"/>). A page of a
    /// listing without a total that holds fewer is its last; one that holds more than that but fewer than asked may
    /// be a cap, and the next page tells.
    /// </summary>
    public int Floor => Volatile.Read(ref _learned) is > 0 and var learnt ? learnt : Math.Max(Fallback, Volatile.Read(ref _largestServed));

    /// <summary>Records that a page held <paramref name="count"/> items.</summary>
    public void Saw(int count)
    {
        var largest = Volatile.Read(ref _largestServed);
        while (count > largest && Interlocked.CompareExchange(ref _largestServed, count, largest) is var seen && seen != largest)
        {
            largest = seen;
        }
    }

    /// <summary>
    /// <paramref name="path"/> answered <paramref name="served"/> items where <paramref name="asked"/> were asked
    /// while more remained: the tenant serves at most that many per page, and every listing asks that from now on
    /// (said once, in the LOG and with <c>--debug</c>).
    /// </summary>
    public void Learn(int asked, int served, string path)
    {
        if (served < 1)
        {
            return;
        }

        var current = Value;
        while (served < current)
        {
            var seen = Interlocked.CompareExchange(ref _value, served, current);
            if (seen == current)
            {
                Volatile.Write(ref _learned, served);
                Volatile.Write(ref _confirmed, served);
                learned?.Invoke($"page size: {Auth0ApiClient.PathOf(path)} answered {served} items where {asked} were asked and more remained; the tenant serves at most {served} per page, so every listing now asks {served} (per_page/take).");
                return;
            }

            current = seen;
        }
    }

    /// <summary>
    /// The largest size up to <paramref name="size"/> whose pages start exactly at <paramref name="position"/>, so that
    /// offset paging (page index × size) lands on the next unread item after a size change mid-listing.
    /// </summary>
    public static int Aligned(long position, int size)
    {
        for (var candidate = size; candidate > 1; candidate--)
        {
            if (position % candidate == 0)
            {
                return candidate;
            }
        }

        return 1;
    }

    /// <summary>True when <paramref name="error"/> is the per_page rejection and a smaller size is now in force.</summary>
    public bool TryStepDown(Auth0ApiException error, int sizeUsed)
    {
        if (ErrorResolution.For(error) != ErrorAction.ShrinkPage || sizeUsed <= Fallback)
        {
            return false;
        }

        Interlocked.CompareExchange(ref _value, Fallback, sizeUsed);
        return true;
    }

    /// <summary>
    /// GETs <paramref name="uriFor"/>(the size in force); on the per_page rejection, steps down and asks
    /// again at the smaller size (once: 100 → 50). Returns the answer and the size it was asked with.
    /// </summary>
    public async Task<(JsonDocument Document, int Size)> GetAsync(Auth0ApiClient api, Func<int, string> uriFor, CancellationToken cancellationToken)
    {
        while (true)
        {
            var size = Value;
            try
            {
                if (await WithSizeAsync(size, () => api.GetJsonAsync(uriFor(size), cancellationToken), cancellationToken) is { } document)
                {
                    return (document, size);
                }
            }
            catch (Auth0ApiException e) when (TryStepDown(e, size))
            {
                // Ask again at the smaller size.
            }
        }
    }

    /// <summary>
    /// Sends a request asking <paramref name="size"/> per page. Until an answer has accepted the size in force, one
    /// such request is in flight at a time (streams read side by side would otherwise each be refused the size the
    /// first refusal already taught); null when the size in force changed while it waited (ask again).
    /// </summary>
    public async Task<T?> WithSizeAsync<T>(int size, Func<Task<T>> send, CancellationToken cancellationToken)
        where T : class
    {
        if (Volatile.Read(ref _confirmed) == size)
        {
            return await send();
        }

        await _trial.WaitAsync(cancellationToken);
        try
        {
            if (Value != size)
            {
                return null;
            }

            var answer = await send();
            Volatile.Write(ref _confirmed, size);
            return answer;
        }
        finally
        {
            _trial.Release();
        }
    }
}
