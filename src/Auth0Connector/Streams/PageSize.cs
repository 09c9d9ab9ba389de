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
    private int _value = configured;

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
                return (await api.GetJsonAsync(uriFor(size), cancellationToken), size);
            }
            catch (Auth0ApiException e) when (TryStepDown(e, size))
            {
                // Ask again at the smaller size.
            }
        }
    }
}
