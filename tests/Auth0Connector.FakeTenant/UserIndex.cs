using System.Text.Json.Nodes;

namespace Auth0Connector.FakeTenant;

/// <summary>One user as served: its record, and its JSON materialized on first access.</summary>
internal sealed class UserEntry(UserRecord record)
{
    private JsonObject? _json;

    public string Id { get; } = record.UserId;

    /// <summary>updated_at in UTC ticks (whole milliseconds).</summary>
    public long UpdatedTicks { get; } = record.UpdatedTicks;

    /// <summary>Never mutated once published: updates replace the entry (copy on write).</summary>
    public UserRecord Record { get; } = record;

    public JsonObject Json
    {
        get
        {
            var json = Volatile.Read(ref _json);
            if (json is null)
            {
                json = Record.ToJson();
                json = Interlocked.CompareExchange(ref _json, json, null) ?? json;
            }

            return json;
        }
    }
}

/// <summary>
/// Immutable snapshot of the users, sorted two ways. Readers take one snapshot per request; writers
/// (<see cref="FakeTenant.UpdateUser"/>, <see cref="FakeTenant.DeleteUser"/>) publish a new one.
/// </summary>
internal sealed class UserIndex
{
    private SortedSlice? _lastIdSorted;

    public UserIndex(UserEntry[] byUpdated, UserEntry[] byId)
    {
        ByUpdated = byUpdated;
        ById = byId;
        JsonById = new UserJsonList(byId);
    }

    /// <summary>Sorted by (updated_at, user_id ordinal).</summary>
    public UserEntry[] ByUpdated { get; }

    /// <summary>Sorted by user_id ordinal.</summary>
    public UserEntry[] ById { get; }

    public IReadOnlyList<JsonObject> JsonById { get; }

    public static int CompareByUpdated(UserEntry a, UserEntry b)
    {
        int c = a.UpdatedTicks.CompareTo(b.UpdatedTicks);
        return c != 0 ? c : string.CompareOrdinal(a.Id, b.Id);
    }

    public static int CompareById(UserEntry a, UserEntry b) => string.CompareOrdinal(a.Id, b.Id);

    public int IndexOfId(string id)
    {
        int lo = 0, hi = ById.Length - 1;
        while (lo <= hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            int c = string.CompareOrdinal(ById[mid].Id, id);
            if (c == 0)
            {
                return mid;
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return -1;
    }

    public UserEntry? Find(string id)
    {
        int i = IndexOfId(id);
        return i < 0 ? null : ById[i];
    }

    /// <summary>First index in <see cref="ByUpdated"/> whose updated_at is &gt;= ticks.</summary>
    public int LowerBound(long ticks)
    {
        int lo = 0, hi = ByUpdated.Length;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            if (ByUpdated[mid].UpdatedTicks < ticks)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>First index in <see cref="ByUpdated"/> whose updated_at is &gt; ticks.</summary>
    public int UpperBound(long ticks)
    {
        int lo = 0, hi = ByUpdated.Length;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            if (ByUpdated[mid].UpdatedTicks <= ticks)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>The users of ByUpdated[lo..hi) ordered by user_id (cached for the last range asked).</summary>
    public UserEntry[] SliceById(int lo, int hi)
    {
        if (lo == 0 && hi == ByUpdated.Length)
        {
            return ById;
        }

        var cached = Volatile.Read(ref _lastIdSorted);
        if (cached is not null && cached.Lo == lo && cached.Hi == hi)
        {
            return cached.Items;
        }

        var items = ByUpdated[lo..hi];
        Array.Sort(items, CompareById);
        Volatile.Write(ref _lastIdSorted, new SortedSlice(lo, hi, items));
        return items;
    }

    /// <summary>A copy with one user replaced (or added when absent) with a new updated_at.</summary>
    public UserIndex WithUser(UserEntry updated)
    {
        var byUpdated = new List<UserEntry>(ByUpdated);
        var byId = new List<UserEntry>(ById);
        int idIndex = IndexOfId(updated.Id);
        if (idIndex >= 0)
        {
            var old = ById[idIndex];
            int oldPos = Array.BinarySearch(ByUpdated, old, Comparer<UserEntry>.Create(CompareByUpdated));
            byUpdated.RemoveAt(oldPos);
            byId[idIndex] = updated;
        }
        else
        {
            int insertId = ~byId.BinarySearch(updated, Comparer<UserEntry>.Create(CompareById));
            byId.Insert(insertId, updated);
        }

        int pos = byUpdated.BinarySearch(updated, Comparer<UserEntry>.Create(CompareByUpdated));
        byUpdated.Insert(pos < 0 ? ~pos : pos, updated);
        return new UserIndex([.. byUpdated], [.. byId]);
    }

    /// <summary>
    /// A copy with several users replaced (or added when absent), in order (a later update of the same user wins):
    /// one O(n) merge however many there are.
    /// </summary>
    public UserIndex WithUsers(IReadOnlyList<UserEntry> updates)
    {
        if (updates.Count == 0)
        {
            return this;
        }

        if (updates.Count == 1)
        {
            return WithUser(updates[0]);
        }

        var latest = new Dictionary<string, UserEntry>(StringComparer.Ordinal);
        foreach (var u in updates)
        {
            latest[u.Id] = u;
        }

        var byId = (UserEntry[])ById.Clone();
        var inserted = new List<UserEntry>();
        foreach (var u in latest.Values)
        {
            int i = IndexOfId(u.Id);
            if (i >= 0)
            {
                byId[i] = u;
            }
            else
            {
                inserted.Add(u);
            }
        }

        if (inserted.Count > 0)
        {
            byId = [.. byId, .. inserted];
            Array.Sort(byId, CompareById);
        }

        var added = latest.Values.ToArray();
        Array.Sort(added, CompareByUpdated);
        var byUpdated = new UserEntry[byId.Length];
        int n = 0, k = 0;
        foreach (var e in ByUpdated)
        {
            if (latest.ContainsKey(e.Id))
            {
                continue;
            }

            while (k < added.Length && CompareByUpdated(added[k], e) < 0)
            {
                byUpdated[n++] = added[k++];
            }

            byUpdated[n++] = e;
        }

        while (k < added.Length)
        {
            byUpdated[n++] = added[k++];
        }

        return new UserIndex(byUpdated, byId);
    }

    /// <summary>A copy without the given user.</summary>
    public UserIndex Without(string userId)
    {
        int idIndex = IndexOfId(userId);
        if (idIndex < 0)
        {
            return this;
        }

        var old = ById[idIndex];
        int oldPos = Array.BinarySearch(ByUpdated, old, Comparer<UserEntry>.Create(CompareByUpdated));
        var byUpdated = new List<UserEntry>(ByUpdated);
        byUpdated.RemoveAt(oldPos);
        var byId = new List<UserEntry>(ById);
        byId.RemoveAt(idIndex);
        return new UserIndex([.. byUpdated], [.. byId]);
    }

    private sealed record SortedSlice(int Lo, int Hi, UserEntry[] Items);
}
