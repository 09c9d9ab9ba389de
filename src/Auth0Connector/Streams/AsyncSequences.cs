namespace Auth0Connector.Streams;

/// <summary>Helpers for async sequences whose first item was looked at before they are handed on.</summary>
internal static class AsyncSequences
{
    /// <summary>
    /// The items of an enumerator already moved once (<paramref name="any"/>: that move found an item),
    /// from its current item on; disposes the enumerator when done.
    /// </summary>
    public static async IAsyncEnumerable<T> FromCurrent<T>(IAsyncEnumerator<T> items, bool any)
    {
        await using (items)
        {
            if (!any)
            {
                yield break;
            }

            do
            {
                yield return items.Current;
            }
            while (await items.MoveNextAsync());
        }
    }
}
