using System.Runtime.InteropServices;
using System.Text.Json;
using Auth0Connector.Http;

namespace Auth0Connector.Streams;

/// <summary>
/// Proves that a paginated listing moves forward, whatever the server answers: a checkpoint
/// <c>next</c> token it gave before (a cycle A→B→A), a page it answered before, or more
/// pages than any listing can hold end the stream with an error naming the endpoint, within a
/// bounded number of requests, instead of looping. One guard per listing, used by every paginator.
/// </summary>
internal sealed class ProgressGuard(string path)
{
    /// <summary>More pages than this in one listing (ten million records at 100 a page) is a server that never ends.</summary>
    internal const int MaxPages = 100_000;

    // 64-bit fingerprints of the tokens seen: bounded (MaxPages entries at most), no strings kept.
    private readonly HashSet<ulong> _tokens = [];
    // Fingerprints of the pages seen (hash, rows, bytes): a page answered twice, even with others
    // in between (A, B, A, B…), is a listing going round in a circle.
    private readonly HashSet<(int Hash, int Rows, int Bytes)> _pagesSeen = [];
    private int _pages;

    /// <summary>Records a page; throws when the listing answered it before or has no end.</summary>
    private void Page(JsonElement items)
    {
        if (++_pages > MaxPages)
        {
            throw Stuck($"has answered more than {MaxPages:N0} pages, more than any Auth0 listing holds");
        }

        var count = items.GetArrayLength();
        if (count == 0)
        {
            return;
        }

        var raw = JsonMarshal.GetRawUtf8Value(items);
        var hash = new HashCode();
        hash.AddBytes(raw);
        if (!_pagesSeen.Add((hash.ToHashCode(), count, raw.Length)))
        {
            throw Stuck("answered the same page twice");
        }
    }

    /// <summary>Records a page; when it is refused, <paramref name="owner"/> (the page's document) is released before the error.</summary>
    public void Page(JsonElement items, IDisposable owner)
    {
        try
        {
            Page(items);
        }
        catch
        {
            owner.Dispose();
            throw;
        }
    }

    /// <summary>Records a checkpoint token about to be followed; throws when the listing gave it before.</summary>
    public void Next(string token)
    {
        if (!_tokens.Add(Fingerprint(token)))
        {
            throw Stuck("returned a 'next' checkpoint it had already given (the pages go round in a circle)");
        }
    }

    private InvalidDataException Stuck(string what) =>
        new($"{Auth0ApiClient.PathOf(path)} {what}; stopping after {_pages:N0} pages instead of reading forever. The tenant or a proxy in front of it is misbehaving: try again later, and report it if it persists.");

    /// <summary>FNV-1a over the token's characters: 64 bits, so distinct tokens do not collide in practice.</summary>
    private static ulong Fingerprint(string token)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in token)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }
}
