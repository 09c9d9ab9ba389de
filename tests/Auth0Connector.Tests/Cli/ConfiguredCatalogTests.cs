using System.Text.Json;
using Auth0Connector.Configuration;
using Auth0Connector.Cli;
using Auth0Connector.Streams;

namespace Auth0Connector.Tests.Cli;

public class ConfiguredCatalogTests
{
    private static IReadOnlyList<ConfiguredStream> Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return ConfiguredCatalog.Parse(document.RootElement, new StreamRegistry());
    }

    [Fact]
    public void Reads_streams_and_sync_modes_in_catalog_order()
    {
        var streams = Parse("""
            {"streams":[
              {"stream":{"name":"users","json_schema":{},"supported_sync_modes":["full_refresh","incremental"]},"sync_mode":"incremental","destination_sync_mode":"append_dedup","cursor_field":["updated_at"]},
              {"stream":{"name":"clients","json_schema":{},"supported_sync_modes":["full_refresh"]},"sync_mode":"full_refresh","destination_sync_mode":"overwrite"}]}
            """);

        Assert.Equal(["users", "clients"], streams.Select(s => s.Stream.Name));
        Assert.Equal([SyncMode.Incremental, SyncMode.FullRefresh], streams.Select(s => s.Mode));
    }

    [Fact]
    public void Discover_output_given_as_catalog_gets_a_hint()
    {
        var error = Assert.Throws<ConfigException>(() => Parse("""{"type":"CATALOG","catalog":{"streams":[]}}"""));

        Assert.Contains("discover's output", error.Message, StringComparison.Ordinal);
        Assert.Contains("examples/catalog.json", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""[]""", "catalog")]
    [InlineData("""{}""", "catalog.streams")]
    [InlineData("""{"streams":[]}""", "catalog.streams")]
    [InlineData("""{"streams":[{"stream":{"name":"guardian_factors"},"sync_mode":"full_refresh"}]}""", "catalog.streams[0].stream.name")]
    [InlineData("""{"streams":[{"stream":{"name":"clients"},"sync_mode":"incremental"}]}""", "catalog.streams[0].sync_mode")]
    [InlineData("""{"streams":[{"stream":{"name":"users"},"sync_mode":"cdc"}]}""", "catalog.streams[0].sync_mode")]
    [InlineData("""{"streams":[{"sync_mode":"full_refresh"}]}""", "catalog.streams[0].stream")]
    [InlineData("""{"streams":[{"stream":{"name":"users"}},{"stream":{"name":"users"}}]}""", "catalog.streams[1].stream.name")]
    public void Mistakes_name_the_field(string json, string field)
    {
        var error = Assert.Throws<ConfigException>(() => Parse(json));

        Assert.Equal(field, error.Field);
    }
}
