namespace Auth0Connector.Streams.Cursors;

/// <summary>
/// What a saved cursor's time may be: between 2000 (before Auth0) and tomorrow (a day of clock skew).
/// Anything else is a damaged state or one from a machine with a wrong clock: every cursor refuses it
/// with a config_error rather than reading from the wrong place.
/// </summary>
internal static class SaneTime
{
    public static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Whether <paramref name="value"/> is a time a sync could have reached by <paramref name="now"/>.</summary>
    public static bool Holds(DateTimeOffset value, DateTimeOffset now) => value >= Earliest && value <= now + TimeSpan.FromDays(1);
}
