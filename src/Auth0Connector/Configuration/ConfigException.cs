namespace Auth0Connector.Configuration;

/// <summary>
/// A user mistake in the config, catalog or state: reported as a config_error naming
/// <see cref="Field"/>. Messages never contain secret values.
/// </summary>
internal sealed class ConfigException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
