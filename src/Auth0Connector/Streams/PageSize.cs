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
}
