using System.Globalization;
using System.Text.RegularExpressions;

namespace Auth0Connector.FakeTenant;

/// <summary>
/// The part of the log search syntax the fake understands [DOC-QS]: terms joined by <c>AND</c>, each a date range
/// <c>date:[2018-12-18 TO *]</c> (<c>[</c>/<c>]</c> inclusive, <c>{</c>/<c>}</c> exclusive, <c>*</c> open) or an exact
/// <c>type:s</c> / <c>type:"s"</c>. Anything else is refused, as the search refuses what it cannot parse.
/// </summary>
internal static partial class LogQuery
{
    public static bool TryParse(string? q, out Func<LogEvent, bool> match)
    {
        match = _ => true;
        if (string.IsNullOrWhiteSpace(q))
        {
            return true;
        }

        var terms = new List<Func<LogEvent, bool>>();
        foreach (var term in q.Split(" AND ", StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (DateRange().Match(term) is { Success: true } range
                && Bound(range.Groups["lo"].Value) is var (lo, loOk) && loOk
                && Bound(range.Groups["hi"].Value) is var (hi, hiOk) && hiOk)
            {
                bool loIn = range.Groups["open"].Value == "[", hiIn = range.Groups["close"].Value == "]";
                terms.Add(e => (lo is not { } a || (loIn ? e.DateTicks >= a : e.DateTicks > a))
                    && (hi is not { } b || (hiIn ? e.DateTicks <= b : e.DateTicks < b)));
            }
            else if (TypeTerm().Match(term) is { Success: true } type)
            {
                string value = type.Groups["v"].Value;
                terms.Add(e => (string?)e.Json["type"] == value);
            }
            else
            {
                return false;
            }
        }

        match = e => terms.TrueForAll(t => t(e));
        return true;
    }

    /// <summary>A range bound in UTC ticks (null for <c>*</c>), and whether it parsed.</summary>
    private static (long? Ticks, bool Ok) Bound(string text) =>
        text == "*" ? (null, true)
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? (t.UtcTicks, true)
        : (null, false);

    [GeneratedRegex(@"^date:(?<open>[\[{])(?<lo>\S+) TO (?<hi>\S+)(?<close>[\]}])$")]
    private static partial Regex DateRange();

    [GeneratedRegex("^type:\"?(?<v>[a-z_]+)\"?$")]
    private static partial Regex TypeTerm();
}
