using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Auth0Connector.Foundation;

namespace Auth0Connector.Tests.Foundation;

public class RedactorTests
{
    /// <summary>A secret with every character class an encoder treats differently: space, + / = &amp; " ' &lt; ~ ! and non-ASCII.</summary>
    private const string Secret = "s3cr3t +/=&\"'<~!é-value?";

    public static TheoryData<string, string> Forms()
    {
        var data = new TheoryData<string, string>();
        foreach (var (encoding, form) in EncodingsOf(Secret))
        {
            data.Add(encoding, form);
        }

        return data;
    }

    /// <summary>The forms a server or a library may echo <paramref name="secret"/> in, named.</summary>
    internal static IEnumerable<(string Encoding, string Form)> EncodingsOf(string secret)
    {
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(secret));
        var escaped = Uri.EscapeDataString(secret);
        var json = JsonEncodedText.Encode(secret).ToString();
        return
        [
            ("raw", secret),
            ("RFC 3986, upper-case hex", escaped),
            ("RFC 3986, lower-case hex", LowerHex(escaped, "%", 2)),
            ("form body (+ for spaces)", escaped.Replace("%20", "+", StringComparison.Ordinal)),
            ("form body, lower-case hex", LowerHex(escaped.Replace("%20", "+", StringComparison.Ordinal), "%", 2)),
            ("WebUtility.UrlEncode", WebUtility.UrlEncode(secret)),
            ("HttpUtility-style lower-case hex", LowerHex(WebUtility.UrlEncode(secret), "%", 2)),
            ("WebUtility.UrlEncode with %20", WebUtility.UrlEncode(secret).Replace("+", "%20", StringComparison.Ordinal)),
            ("JSON, default encoder", json),
            ("JSON, lower-case \\u escapes", LowerHex(json, "\\u", 4)),
            ("JSON, relaxed encoder", JsonEncodedText.Encode(secret, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString()),
            ("JSON, as JsonSerializer writes a string", JsonSerializer.Serialize(secret)[1..^1]),
            ("base64", base64),
            ("base64 without padding", base64.TrimEnd('=')),
            ("base64url", base64.Replace('+', '-').Replace('/', '_')),
            ("base64url without padding", base64.Replace('+', '-').Replace('/', '_').TrimEnd('=')),
        ];
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void Redact_SecretInAnyEncoding_IsReplaced(string encoding, string form)
    {
        var redactor = new Redactor();
        redactor.Add(Secret);

        var text = redactor.Redact($"before {form} after");

        Assert.True(text == "before *** after", $"{encoding}: '{form}' became '{text}'");
    }

    [Fact]
    public void Redact_TextWithoutSecrets_IsReturnedUnchanged()
    {
        var redactor = new Redactor();
        redactor.Add(Secret);
        const string Text = "GET /api/v2/users?q=updated_at%3A%5B2024 -> 200 in 12 ms";

        Assert.Same(Text, redactor.Redact(Text));
    }

    [Fact]
    public void Redact_ShortValues_AreNotTreatedAsSecrets()
    {
        var redactor = new Redactor();
        redactor.Add("abc");

        Assert.Equal("abc and abc", redactor.Redact("abc and abc"));
    }

    [Fact]
    public void Redact_LaterTokens_AreAddedBesideTheSecret()
    {
        var redactor = new Redactor();
        redactor.Add(Secret);
        redactor.Add("eyJhbGciOi.token+two/x==");

        Assert.Equal("*** and *** and ***", redactor.Redact($"{Secret} and eyJhbGciOi.token+two/x== and {Uri.EscapeDataString("eyJhbGciOi.token+two/x==")}"));
    }

    /// <summary>The text with the hex digits of its %XX or \uXXXX escapes in lower case.</summary>
    internal static string LowerHex(string text, string prefix, int digits) =>
        Regex.Replace(text, Regex.Escape(prefix) + "[0-9A-F]{" + digits + "}", m => m.Value.ToLowerInvariant());

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("ab")]
    [InlineData("secret=")]
    [InlineData("grant_type=client_credentials&client_id=x&client_secret=")]
    public void Redact_SecretBase64edInsideLongerText_EveryAlignmentReplaced(string prefix)
    {
        const string Secret = "Zq7vN0tReallyASecret_AbC-123456789012345678901234567890";
        var redactor = new Redactor();
        redactor.Add(Secret);
        var echoed = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(prefix + Secret + "&audience=x"));

        var redacted = redactor.Redact($"error_description: {echoed}");

        Assert.Contains("***", redacted, StringComparison.Ordinal);
        // What is left cannot spell the secret: at most the few characters around its edges.
        Assert.True(redacted.Length < echoed.Length - 40, redacted);
    }

    [Fact]
    public void Redact_SecretInUpperCaseOrHex_Replaced()
    {
        const string Secret = "Zq7vN0tReallyASecret_AbC-1234";
        var redactor = new Redactor();
        redactor.Add(Secret);
        var hex = Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(Secret));

        Assert.Equal("a *** b *** c ***", redactor.Redact($"a {Secret.ToUpperInvariant()} b {hex} c {hex.ToLowerInvariant()}"));
    }
}
