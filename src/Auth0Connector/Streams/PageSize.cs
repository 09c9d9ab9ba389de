using System.Text.Json;
using Auth0Connector.Http;

namespace Auth0Connector.Streams;

/// <summary>
/// The records-per-request setting shared by all paginators. Public cloud tenants may cap
/// <c>per_page</c> at 50 although the API documents 100: on that specific 400 we step down once
/// and go on, instead of failing the sync.
/// </summary>
internal sealed class PageSize(int configured)
{
    public const int Fallback = 50;
    private readonly SemaphoreSlim _trial = new(1, 1);
    private int _value = configured;
    private int _confirmed;           // the size an answer has accepted (0: none yet)

    public int Value => Volatile.Read(ref _value);

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
