namespace Auth0Connector.Streams;

/// <summary>
/// Where one listing ends, from the server's own signals: its <c>total</c> reached, no <c>next</c>, an empty page.
/// A page merely shorter than asked is not one: a tenant may serve fewer items per page than asked, and say nothing.
/// </summary>
/// <remarks>
/// <para>
/// A page shorter than asked that is not known to be the last (its total not reached; a <c>next</c>) is suspected of
/// a cap: the listing goes on at the size that page held (offset pages are cut at the size served), and a next page
/// as full proves the cap (<see cref="PageSize.Learn"/>: every listing asks that size from then on), while an empty
/// one ends the listing (members answer a <c>next</c> on their last page; a total may count more than is returned).
/// Without a total (organization invitations), a page shorter than the tenant is known to serve
/// (<see cref="PageSize.Floor"/>: at least Auth0's default of 50, or what one page already held) is the last; one
/// between that and the size asked is suspected, and costs one request more when it was the last after all.
/// </para>
/// <para>
/// What each listing delivered, and the totals the tenant reported for it, go to the stream's <see cref="ListingTally"/>;
/// <c>counted</c> is a count of the listing taken before it was read (one cheap request), its total when its pages say none.
/// </para>
/// </remarks>
internal sealed class ListingEnd(PageSize sizes, string path, ListingTally? tally = null, long? counted = null)
{
    private (int Asked, int Served)? _suspect;
    private int? _size;
    private long? _firstTotal = counted;
    private long? _lastTotal;

    /// <summary>The items the listing's pages have held so far.</summary>
    public long Delivered { get; private set; }

    /// <summary>
    /// The size to ask next, from <paramref name="inForce"/> (the sync's): no more than a short page of this listing
    /// held (offset pages are cut at the size the tenant serves, so asking more would misplace the next page), and, for
    /// offset paging (<paramref name="aligned"/>), one whose page index lands on the position reached.
    /// </summary>
    public int SizeFor(int inForce, bool aligned)
    {
        var size = _size is { } served ? Math.Min(inForce, served) : inForce;
        return aligned ? PageSize.Aligned(Delivered, size) : size;
    }

    /// <summary>An offset page of <paramref name="count"/> items, <paramref name="asked"/> asked; true when it is the listing's last.</summary>
    public bool OffsetPage(int count, int asked, long? total)
    {
        Take(count);
        if (total is { } reported)
        {
            _firstTotal ??= reported;
            _lastTotal = reported;
        }

        // Without a total, a page shorter than the tenant is known to serve is the last; one that holds as many as a
        // capped page would is not known to be.
        var last = count == 0 || (total is { } t ? Delivered >= t : count < asked && count < sizes.Floor);
        if (!last && count < asked)
        {
            // Fewer than asked while more may remain: the listing goes on at this size, and a full next page proves a cap.
            Suspect(asked, count);
        }

        return Ended(last);
    }

    /// <summary>A checkpoint page; true when it is the listing's last (empty, or without a <c>next</c>).</summary>
    public bool CheckpointPage(int count, int asked, bool hasNext)
    {
        Take(count);
        var last = count == 0 || !hasNext;
        if (!last && count < asked)
        {
            Suspect(asked, count);
        }

        return Ended(last);
    }

    /// <summary>Counts a page's items; a page as full as the short one before it proves the tenant's size.</summary>
    private void Take(int count)
    {
        Delivered += count;
        sizes.Saw(count);
        if (_suspect is { } suspect && count >= suspect.Served)
        {
            sizes.Learn(suspect.Asked, suspect.Served, path);
        }

        _suspect = null;
    }

    private void Suspect(int asked, int served)
    {
        _suspect = (asked, served);
        _size = served;
    }

    private bool Ended(bool last)
    {
        if (last && _firstTotal is { } first)
        {
            tally?.Add(first, _lastTotal ?? first, Delivered);
        }

        return last;
    }
}

/// <summary>
/// A stream's reconciliation: what its listings delivered against the totals the tenant reported for them. A listing
/// is short by what it delivered below the smaller of its first and last total (the difference between them is what
/// changed while it was read); listings that report no total are not counted.
/// </summary>
internal sealed class ListingTally
{
    private long _reported;
    private long _delivered;
    private long _missing;
    private int _listings;

    public void Add(long firstTotal, long lastTotal, long delivered)
    {
        Interlocked.Add(ref _reported, lastTotal);
        Interlocked.Add(ref _delivered, delivered);
        Interlocked.Add(ref _missing, Math.Max(0, Math.Min(firstTotal, lastTotal) - delivered));
        Interlocked.Increment(ref _listings);
    }

    /// <summary>The reconciliation, or null when no listing reported a total.</summary>
    public Reconciliation? Result => Volatile.Read(ref _listings) is > 0 and var listings
        ? new Reconciliation(Interlocked.Read(ref _reported), Interlocked.Read(ref _delivered), Interlocked.Read(ref _missing), listings)
        : null;
}

/// <summary>
/// What a stream's listings that report a total delivered (<paramref name="Delivered"/>) against what the tenant reported
/// (<paramref name="Reported"/>), and how many fewer than reported they delivered beyond what changed during the sync.
/// </summary>
internal sealed record Reconciliation(long Reported, long Delivered, long Missing, int Listings);
