using Auth0Connector.Protocol;

namespace Auth0Connector.Cli;

internal static class SpecCommand
{
    public static int Run(MessageWriter messages)
    {
        messages.Raw("SPEC", "spec", writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("documentationUrl"u8, "https://auth0.com/docs/api/management/v2");
            writer.WritePropertyName("connectionSpecification"u8);
            EmbeddedSchemas.WriteTo(writer, "spec");
            writer.WriteBoolean("supportsIncremental"u8, true);
            writer.WritePropertyName("supported_destination_sync_modes"u8);
            writer.WriteStartArray();
            writer.WriteStringValue("overwrite"u8);
            writer.WriteStringValue("append"u8);
            writer.WriteStringValue("append_dedup"u8);
            writer.WriteEndArray();
            writer.WriteEndObject();
        });
        return 0;
    }
}
