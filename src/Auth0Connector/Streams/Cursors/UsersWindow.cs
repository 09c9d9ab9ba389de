using System.Text.Json;
using Auth0Connector.Foundation;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams.Cursors;

/// <summary>
/// Checks a page of the users walk against the window it asked for (<c>updated_at</c> from the
/// position to the range's end): a user before the position means the search ignored its query
/// (the walk would loop), so the stream fails; a user after the end is delivered but does not move
/// the position; a user without <c>updated_at</c> is delivered and reported.
/// </summary>
internal static class UsersWindow
{
    /// <summary>What a page holds: its first and last placeable updated_at, users without one, and whether it passed the range's end.</summary>
    internal readonly record struct Page(string? First, string? Last, int WithoutUpdatedAt, bool PastUpper);

    public static Page Check(JsonElement users, DateTimeOffset? lower, bool lowerInclusive, DateTimeOffset upper)
    {
        string? first = null, last = null;
        var without = 0;
        var pastUpper = false;
        foreach (var user in users.EnumerateArray())
        {
            if (user.StringProperty(UsersCursor.UpdatedAt) is not { } text || UsersCursor.TryParseTimestamp(text) is not { } at)
            {
                without++;
                continue;
            }

            if (lower is { } l && (lowerInclusive ? at < l : at <= l))
            {
                throw new InvalidDataException($"users: the search for updated_at from {UsersCursor.Format(l)} answered a user updated at {text}, before it: it is not honouring its query, so the walk stops instead of reading the same users again. Try again later; report it if it persists.");
            }

            if (at >= upper)
            {
                pastUpper = true;
                continue;
            }

            first ??= text;
            last = text;
        }

        return new Page(first, last, without, pastUpper);
    }

    /// <summary>Whether <paramref name="updatedAt"/> is at or after <paramref name="upper"/> (unparsable counts as not).</summary>
    public static bool IsPast(string updatedAt, DateTimeOffset upper) => UsersCursor.TryParseTimestamp(updatedAt) is { } at && at >= upper;
}

/// <summary>
/// What one range's walk remembers between pages: its progress guard, the updated_at of the last
/// user delivered (the boundary) and the users delivered at that millisecond, so the next request,
/// which starts at the boundary again, delivers none of them twice.
/// </summary>
internal sealed class UsersWalkState(ProgressGuard guard)
{
    private readonly HashSet<string> _deliveredAtBoundary = new(StringComparer.Ordinal);
    private bool _warnedWithout;

    /// <summary>The updated_at of the last user delivered: where a restart resumes.</summary>
    public string? Boundary { get; private set; }

    /// <summary>The users already delivered at <paramref name="instant"/>, if it is the boundary.</summary>
    public HashSet<string>? DeliveredAt(string instant) => instant == Boundary ? _deliveredAtBoundary : null;

    public void ResetBoundary()
    {
        Boundary = null;
        _deliveredAtBoundary.Clear();
    }

    /// <summary>Checks a page (progress, window, placeable users); the page's document is released when it is refused.</summary>
    public UsersWindow.Page Inspect(StreamContext context, JsonElement users, JsonDocument document, DateTimeOffset? lower, bool lowerInclusive, DateTimeOffset upper, bool full)
    {
        guard.Page(users, document);
        UsersWindow.Page page;
        try
        {
            page = UsersWindow.Check(users, lower, lowerInclusive, upper);
            if (full && page.Last is null && !page.PastUpper)
            {
                throw new InvalidDataException($"users: a full page of {users.GetArrayLength()} users had no usable updated_at, so the walk cannot know where the next page starts; stopping rather than completing with users missing.");
            }
        }
        catch
        {
            document.Dispose();
            throw;
        }

        if (page.WithoutUpdatedAt > 0 && !_warnedWithout)
        {
            _warnedWithout = true;
            context.Messages.Log(LogLevel.Warn, $"users: the search answered {page.WithoutUpdatedAt} user(s) without a valid updated_at (Auth0 always sets it; a damaged or imported profile?). They are delivered, but cannot be placed on the updated_at axis, so a later sync may not see their changes.");
        }

        return page;
    }

    /// <summary>The page's users less those delivered by the previous request; moves the boundary.</summary>
    public List<JsonElement> Fresh(JsonElement users, UsersWindow.Page page, DateTimeOffset upper)
    {
        var fresh = new List<JsonElement>(users.GetArrayLength());
        foreach (var user in users.EnumerateArray())
        {
            var updatedAt = user.StringProperty(UsersCursor.UpdatedAt);
            var id = user.StringProperty("user_id");
            if (updatedAt is not null && updatedAt == Boundary && id is not null && !_deliveredAtBoundary.Add(id))
            {
                continue; // delivered by the previous request
            }

            // A user stamped at or after the range's end (the window ends at the sync's start; a
            // clock gone wrong may say 2099) is delivered, but never becomes the position.
            // (Only a page that reaches past the end is parsed again: this runs for every user.)
            if (updatedAt is not null && updatedAt != Boundary && !(page.PastUpper && UsersWindow.IsPast(updatedAt, upper)))
            {
                Boundary = updatedAt;
                _deliveredAtBoundary.Clear();
                if (id is not null)
                {
                    _deliveredAtBoundary.Add(id);
                }
            }

            fresh.Add(user);
        }

        return fresh;
    }
}
