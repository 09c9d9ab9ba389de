using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Auth0Connector.Foundation;

/// <summary>
/// Last line of defence for secrets: every log, error and status text passes through it, and any
/// configured secret or issued token in it is replaced by <c>***</c>, in the forms a server or a
/// library may echo it: raw, URL-encoded (<c>%20</c> or <c>+</c> for spaces), JSON-escaped
/// (System.Text.Json's default and relaxed encoders), hex, and base64 (standard or URL-safe, with
/// or without padding, also inside longer base64 text), of the secret alone and of HTTP Basic's
/// <c>client_id:secret</c>. Matching ignores letter case, so an echo in upper case and hex escapes
/// in either case (<c>%2B</c>, <c>%2b</c>, <c>\u002B</c>) are caught too. The forms are computed
/// once when a secret is added; <see cref="Redact"/> is a few searches per line. (Records are not scanned: they
/// are the tenant's data, and scanning every record would cost the hot path.)
/// </summary>
internal sealed class Redactor
{
    /// <summary>Shorter values would mangle ordinary text and are not real secrets.</summary>
    private const int MinimumLength = 6;

    private readonly Lock _gate = new();

    /// <summary>Every form of every secret, longest first (a form may contain a shorter one).</summary>
    private string[] _forms = [];

    /// <summary>Registers a secret (a client secret or a token) and its encoded forms.</summary>
    public void Add(string? secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length < MinimumLength)
        {
            return;
        }

        Register(FormsOf(secret));
    }

    /// <summary>Registers a client secret, and the HTTP Basic credentials <c>client_id:secret</c> built from it.</summary>
    public void AddClientCredentials(string clientId, string? secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length < MinimumLength)
        {
            return;
        }

        Register(FormsOf(secret).Concat(Base64Forms($"{clientId}:{secret}")));
    }

    public string Redact(string text)
    {
        foreach (var form in Volatile.Read(ref _forms))
        {
            // Case aside: an echo in upper case, or hex in either case, is still the secret.
            if (text.Contains(form, StringComparison.OrdinalIgnoreCase))
            {
                text = text.Replace(form, "***", StringComparison.OrdinalIgnoreCase);
            }
        }

        return text;
    }

    private void Register(IEnumerable<string> forms)
    {
        lock (_gate)
        {
            _forms = [.. _forms.Concat(forms.Where(f => f.Length >= MinimumLength))
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .OrderByDescending(f => f.Length)];
        }
    }

    /// <summary>The forms a secret takes in URLs, form bodies, JSON text and base64.</summary>
    internal static IEnumerable<string> FormsOf(string secret)
    {
        yield return secret;

        // RFC 3986 escaping (Uri.EscapeDataString, FormUrlEncodedContent before its '+' step) and
        // WHATWG/HTML form encoding (WebUtility.UrlEncode: keeps !*() and writes '+' for spaces).
        foreach (var encoded in new[] { Uri.EscapeDataString(secret), WebUtility.UrlEncode(secret) })
        {
            yield return encoded.Replace("+", "%20", StringComparison.Ordinal);
            yield return encoded.Replace("%20", "+", StringComparison.Ordinal);
        }

        foreach (var encoder in new[] { JavaScriptEncoder.Default, JavaScriptEncoder.UnsafeRelaxedJsonEscaping })
        {
            yield return JsonEncodedText.Encode(secret, encoder).ToString();
        }

        foreach (var form in Base64Forms(secret))
        {
            yield return form;
        }

        yield return Convert.ToHexString(Encoding.UTF8.GetBytes(secret));
    }

    private static IEnumerable<string> Base64Forms(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        var padded = Convert.ToBase64String(bytes);
        var urlSafe = padded.Replace('+', '-').Replace('/', '_');
        yield return padded;
        yield return padded.TrimEnd('=');
        yield return urlSafe;
        yield return urlSafe.TrimEnd('=');

        // Inside a longer base64 text (an echoed form body, "secret=..."), the secret starts at any
        // of three byte alignments, and its first and last characters depend on its neighbours:
        // the characters that depend on the secret alone are its fingerprint at that alignment.
        for (var shift = 0; shift < 3; shift++)
        {
            var shifted = Convert.ToBase64String([.. new byte[shift], .. bytes]);
            var skip = ((8 * shift) + 5) / 6;
            if (shifted.Length - skip - 3 >= 16)
            {
                var core = shifted[skip..^3];
                yield return core;
                yield return core.Replace('+', '-').Replace('/', '_');
            }
        }
    }
}
