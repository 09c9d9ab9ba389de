using System.Text.Json;
using Auth0Connector.Protocol;

namespace Auth0Connector.Cli;

/// <summary>
/// Finds config keys the connector does not know (a typo silently ignored would leave a setting at
/// its default), with a suggestion when a known key is close: <c>start_dat</c> → <c>start_date</c>.
/// The known keys are the connection spec's properties, so a new setting needs no second list.
/// </summary>
internal static class ConfigKeyCheck
{
    private static readonly Lazy<(string[] TopLevel, string[] Credentials)> Known = new(ReadSpec);

    /// <summary>One warning per unknown key of <paramref name="config"/> and of its <c>credentials</c>.</summary>
    public static IReadOnlyList<string> Warnings(JsonElement config)
    {
        var warnings = new List<string>();
        if (config.ValueKind != JsonValueKind.Object)
        {
            return warnings;
        }

        var (topLevel, credentials) = Known.Value;
        Check(config, topLevel, string.Empty, warnings);
        if (config.TryGetProperty("credentials", out var nested) && nested.ValueKind == JsonValueKind.Object)
        {
            Check(nested, credentials, "credentials.", warnings);
        }

        return warnings;
    }

    private static void Check(JsonElement obj, string[] known, string prefix, List<string> warnings)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (known.Contains(property.Name, StringComparer.Ordinal))
            {
                continue;
            }

            // Key names are the user's text, never a value: safe to quote (shortened, in case a value was pasted as a key).
            var name = property.Name.Length > 40 ? property.Name[..40] + "…" : property.Name;
            var suggestion = Closest(property.Name, known);
            warnings.Add($"The config key '{prefix}{name}' is not a setting of this connector and is ignored"
                + (suggestion is null ? $"; the settings are {string.Join(", ", known.Select(k => prefix + k))}." : $": did you mean '{prefix}{suggestion}'?"));
        }
    }

    /// <summary>The known key within a small edit distance (case, '-' and '_' aside), if one is.</summary>
    internal static string? Closest(string key, IEnumerable<string> known)
    {
        var normalized = Normalize(key);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = Distance(normalized, Normalize(candidate));
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        var allowed = Math.Max(1, Math.Min(3, normalized.Length / 4));
        return bestDistance <= allowed ? best : null;
    }

    private static string Normalize(string key) => key.ToLowerInvariant().Replace('-', '_');

    /// <summary>Edit distance with adjacent transpositions (optimal string alignment).</summary>
    private static int Distance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 3)
        {
            return int.MaxValue;
        }

        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    private static (string[] TopLevel, string[] Credentials) ReadSpec()
    {
        using var spec = JsonDocument.Parse(EmbeddedSchemas.Read("spec"));
        var properties = spec.RootElement.GetProperty("properties");
        var credentials = properties.GetProperty("credentials").GetProperty("oneOf").EnumerateArray()
            .SelectMany(option => option.GetProperty("properties").EnumerateObject().Select(p => p.Name))
            .Distinct(StringComparer.Ordinal);
        return ([.. properties.EnumerateObject().Select(p => p.Name)], [.. credentials]);
    }
}
