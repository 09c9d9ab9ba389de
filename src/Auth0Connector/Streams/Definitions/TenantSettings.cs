using Auth0Connector.Http;

namespace Auth0Connector.Streams.Definitions;

/// <summary>The tenant's settings: one object, one record, no primary key. check asks for one field only.</summary>
internal static class TenantSettings
{
    public static readonly StreamDefinition Definition = new()
    {
        Name = "tenant_settings",
        PrimaryKey = [],
        Scopes = ["read:tenant_settings"],
        Path = "tenants/settings",
        RecordsProperty = null,
        Paginator = PaginatorKind.Single,
        OneObject = true,
        Probe = ApiPath.WithQuery("tenants/settings", ("fields", "friendly_name"), ("include_fields", true)),
    };
}
