using Auth0Connector.Configuration;
using Auth0Connector.Protocol;
using Auth0Connector.Streams;

namespace Auth0Connector.Cli;

internal static class DiscoverCommand
{
    public static int Run(string configPath, CommandContext context)
    {
        // The streams do not depend on the tenant, but a broken config should fail here, not at read.
        _ = context.LoadConfig(configPath);
        var messages = context.Messages;
        var registry = new StreamRegistry();
        messages.Raw("CATALOG", "catalog", writer =>
        {
            writer.WriteStartObject();
            writer.WritePropertyName("streams"u8);
            writer.WriteStartArray();
            foreach (var stream in registry.All)
            {
                writer.WriteStartObject();
                writer.WriteString("name"u8, stream.Name);
                writer.WritePropertyName("json_schema"u8);
                EmbeddedSchemas.WriteTo(writer, stream.Name);
                writer.WritePropertyName("supported_sync_modes"u8);
                writer.WriteStartArray();
                writer.WriteStringValue("full_refresh"u8);
                if (stream.CursorField is not null)
                {
                    writer.WriteStringValue("incremental"u8);
                }

                writer.WriteEndArray();
                if (stream.CursorField is { } cursor)
                {
                    writer.WriteBoolean("source_defined_cursor"u8, true);
                    writer.WritePropertyName("default_cursor_field"u8);
                    writer.WriteStartArray();
                    writer.WriteStringValue(cursor);
                    writer.WriteEndArray();
                }

                writer.WritePropertyName("source_defined_primary_key"u8);
                writer.WriteStartArray();
                foreach (var key in stream.PrimaryKey)
                {
                    writer.WriteStartArray();
                    writer.WriteStringValue(key);
                    writer.WriteEndArray();
                }

                writer.WriteEndArray();
                writer.WriteBoolean("is_resumable"u8, stream.CursorField is not null);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
        return 0;
    }
}
