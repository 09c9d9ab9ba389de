using System.Globalization;
using System.Text.RegularExpressions;

namespace Auth0Connector.FakeTenant;

/// <summary>
/// The subset of Auth0's Lucene user-search syntax the fake understands: everything (empty q), or an updated_at
/// range/exact value. Bounds are UTC ticks; null means open.
/// </summary>
internal readonly record struct UpdatedAtFilter(long? Lower, bool LowerInclusive, long? Upper, bool UpperInclusive)
{
    public static UpdatedAtFilter All => new(null, true, null, true);
}

internal static partial class UserQuery
{
    // updated_at:[A TO B], {A TO B}, [A TO B}, {A TO *], [* TO B} — A/B optionally quoted.
    [GeneratedRegex("""^\s*updated_at\s*:\s*(?<open>[\[\{])\s*(?<a>"[^"]*"|[^\s"]+)\s+TO\s+(?<b>"[^"]*"|[^\s"\]\}]+)\s*(?<close>[\]\}])\s*$""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RangeRegex();

    // updated_at:>=A, updated_at:<B (Elasticsearch query-string shorthand).
    [GeneratedRegex("""^\s*updated_at\s*:\s*(?<op>>=|<=|>|<)\s*(?<v>"[^"]*"|[^\s"]+)\s*$""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CompareRegex();

    // updated_at:"2023-03-14T13:36:13.211Z" or updated_at:2023-03-14T13:36:13.211Z
    [GeneratedRegex("""^\s*updated_at\s*:\s*(?<v>"[^"]*"|[^\s"\[\{]+)\s*$""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ExactRegex();

    [GeneratedRegex("%[0-9A-Fa-f]{2}")]
    private static partial Regex EncodedRegex();

    public static bool TryParse(string? q, out UpdatedAtFilter filter)
    {
        filter = UpdatedAtFilter.All;
        if (string.IsNullOrWhiteSpace(q) || q.Trim() is "*" or "*:*")
        {
            return true;
        }

        // The query string was decoded once on arrival, as by Auth0: a value still %-encoded was
        // encoded twice by the client, and is not query syntax.
        if (EncodedRegex().IsMatch(q))
        {
            return false;
        }

        var m = RangeRegex().Match(q);
        if (m.Success)
        {
            if (!TryBound(m.Groups["a"].Value, out long? a, out _) || !TryBound(m.Groups["b"].Value, out long? b, out _))
            {
                return false;
            }

            filter = new UpdatedAtFilter(a, m.Groups["open"].Value == "[", b, m.Groups["close"].Value == "]");
            return true;
        }

        m = CompareRegex().Match(q);
        if (m.Success)
        {
            if (!TryBound(m.Groups["v"].Value, out long? v, out _) || v is null)
            {
                return false;
            }

            filter = m.Groups["op"].Value switch
            {
                ">" => new UpdatedAtFilter(v, false, null, true),
                ">=" => new UpdatedAtFilter(v, true, null, true),
                "<" => new UpdatedAtFilter(null, true, v, false),
                _ => new UpdatedAtFilter(null, true, v, true),
            };
            return true;
        }

        m = ExactRegex().Match(q);
        if (m.Success)
        {
            if (!TryBound(m.Groups["v"].Value, out long? v, out bool dateOnly) || v is null)
            {
                return false;
            }

            // A date without a time matches that whole (UTC) day, as Elasticsearch rounds date-only terms.
            filter = dateOnly
                ? new UpdatedAtFilter(v, true, v + TimeSpan.TicksPerDay, false)
                : new UpdatedAtFilter(v, true, v, true);
            return true;
        }

        return false;
    }

    private static bool TryBound(string raw, out long? ticks, out bool dateOnly)
    {
        ticks = null;
        dateOnly = false;
        string s = raw.Trim();
        if (s.Length >= 2 && s[0] == '"' && s[^1] == '"')
        {
            s = s[1..^1].Trim();
        }

        if (s == "*")
        {
            return true;
        }

        if (s.Length == 0)
        {
            return false;
        }

        dateOnly = !s.Contains('T', StringComparison.OrdinalIgnoreCase);
        if (DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var dto)
            && s.Length >= 10 && char.IsAsciiDigit(s[0]))
        {
            ticks = dto.UtcTicks;
            return true;
        }

        return false;
    }
}
