using Auth0Connector.Http;

namespace Auth0Connector.Streams.Definitions;

/// <summary>
/// The tenant's settings: one object, one record, keyed by the tenant's domain (<c>base_url</c>'s host,
/// added as <c>tenant_domain</c>: the object has no id of its own). check asks for one field only.
/// </summary>
internal static class TenantSettings
{
    public static readonly StreamDefinition Definition = new()
    {
        Name = "tenant_settings",
        PrimaryKey = ["tenant_domain"],
        TenantField = "tenant_domain",
        Scopes = ["read:tenant_settings"],
        Path = "tenants/settings",
        RecordsProperty = null,
        Paginator = PaginatorKind.Single,
        OneObject = true,
        Probe = ApiPath.WithQuery("tenants/settings", ("fields", "friendly_name"), ("include_fields", true)),
    };
}
