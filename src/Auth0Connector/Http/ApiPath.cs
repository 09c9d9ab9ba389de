namespace Auth0Connector.Http;

/// <summary>
/// Builds Management API paths from constant segments and ids a tenant returned. An id is escaped
/// as exactly one segment: <c>/</c>, <c>?</c>, <c>#</c>, <c>%</c>, spaces and non-ASCII are
/// percent-encoded (RFC 3986), and the dot segments <c>.</c> and <c>..</c>, which
/// <see cref="Uri.EscapeDataString"/> leaves alone and any URL resolver collapses, become
/// <c>%2E</c> and <c>%2E%2E</c>. <see cref="Resolve"/> then joins the path to the API root without
/// the canonicalization that would decode and collapse them again.
/// </summary>
internal static class ApiPath
{
    private static readonly UriCreationOptions Verbatim = new() { DangerousDisablePathAndQueryCanonicalization = true };

    /// <summary>A relative path such as <c>organizations/{id}/members</c>, each part one escaped segment.</summary>
    public static string Of(params string[] segments) => string.Join('/', segments.Select(Segment));

    /// <summary>
    /// <paramref name="path"/> with <paramref name="parameters"/> appended, names and values
    /// percent-encoded (never interpolated raw); parameters whose value is null are left out.
    /// </summary>
    public static string WithQuery(string path, params (string Name, object? Value)[] parameters)
    {
        var query = string.Join('&', parameters.Where(p => p.Value is not null).Select(p => $"{Uri.EscapeDataString(p.Name)}={Uri.EscapeDataString(Text(p.Value!))}"));
        return query.Length == 0 ? path : path + (path.Contains('?', StringComparison.Ordinal) ? '&' : '?') + query;
    }

    private static string Text(object value) => value switch
    {
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>One path segment holding <paramref name="id"/> and nothing else.</summary>
    public static string Segment(string id) => id switch
    {
        "" => throw new InvalidDataException("The tenant returned an empty id, which cannot name a resource in a request path."),
        "." => "%2E",
        ".." => "%2E%2E",
        _ => Uri.EscapeDataString(id),
    };

    /// <summary>
    /// The absolute URI of <paramref name="relativeUri"/> (an escaped path and query) under
    /// <paramref name="apiRoot"/>, sent exactly as written: its escaped segments are neither
    /// decoded nor resolved as dot segments.
    /// </summary>
    public static Uri Resolve(Uri apiRoot, string relativeUri) => new(apiRoot.AbsoluteUri + relativeUri, Verbatim);
}
