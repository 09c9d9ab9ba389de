namespace Auth0Connector.Streams.Definitions;

/// <summary>The tenant's token signing keys, one request (a bare array): certificates and rotation flags, public material only.</summary>
internal static class SigningKeys
{
    public static readonly StreamDefinition Definition = new()
    {
        Name = "signing_keys",
        PrimaryKey = ["kid"],
        Scopes = ["read:signing_keys"],
        Path = "keys/signing",
        RecordsProperty = null,
        Paginator = PaginatorKind.Single,
    };
}
