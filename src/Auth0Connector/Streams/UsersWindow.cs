using System.Text.Json;
using Auth0Connector.Protocol;

namespace Auth0Connector.Streams;

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
            if (user.StringProperty(UsersStream.Cursor) is not { } text || UsersStream.TryParseTimestamp(text) is not { } at)
            {
                without++;
                continue;
            }

            if (lower is { } l && (lowerInclusive ? at < l : at <= l))
            {
                throw new InvalidDataException($"users: the search for updated_at from {UsersStream.Format(l)} answered a user updated at {text}, before it: it is not honouring its query, so the walk stops instead of reading the same users again. Try again later; report it if it persists.");
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
    public static bool IsPast(string updatedAt, DateTimeOffset upper) => UsersStream.TryParseTimestamp(updatedAt) is { } at && at >= upper;
}
