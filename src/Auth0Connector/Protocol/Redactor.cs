namespace Auth0Connector.Protocol;

/// <summary>
/// Last line of defence for secrets: every log, error and status text passes through it, and any
/// configured secret or issued token in it is replaced by <c>***</c>. (Records are not scanned:
/// they are the tenant's data, and scanning every record would cost the hot path.)
/// </summary>
internal sealed class Redactor
{
    private readonly Lock _gate = new();
    private string[] _secrets = [];

    public void Add(string? secret)
    {
        // Very short values would mangle ordinary text and are not real secrets.
        if (string.IsNullOrEmpty(secret) || secret.Length < 6)
        {
            return;
        }

        lock (_gate)
        {
            if (!_secrets.Contains(secret, StringComparer.Ordinal))
            {
                _secrets = [.. _secrets, secret];
            }
        }
    }

    public string Redact(string text)
    {
        foreach (var secret in Volatile.Read(ref _secrets))
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, "***", StringComparison.Ordinal);
            }
        }

        return text;
    }
}
