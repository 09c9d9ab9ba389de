using System.Globalization;
using System.Text.Json.Nodes;

namespace Auth0Connector.FakeTenant;

/// <summary>
/// What the role and organization sub-listings serve: each role's users and permissions, each
/// organization's invitations and enabled connections. Records as docs/auth0-endpoints.md §2.3, 2.4,
/// 2.13 and 2.14 describe them, in the order the API lists them.
/// </summary>
internal sealed class RoleOrganizationData
{
    public required Dictionary<string, JsonObject[]> RoleUsers { get; init; }

    public required Dictionary<string, JsonObject[]> RolePermissions { get; init; }

    public required Dictionary<string, JsonObject[]> Invitations { get; init; }

    public required Dictionary<string, JsonObject[]> EnabledConnections { get; init; }
}

/// <summary>Deterministic generation (from the seed) of <see cref="RoleOrganizationData"/>.</summary>
internal static class RoleOrganizationGenerator
{
    private static readonly (string Identifier, string Name, string[] Permissions)[] Apis =
    [
        ("https://api.example.com/", "Example API", ["read:orders", "create:orders", "update:orders", "delete:orders", "read:reports"]),
        ("https://billing.example.com/", "Billing API (Jan 25 18:50:03.642)", ["read:invoices", "create:invoices", "refund:payments"]),
        ("urn:example:inventory", "Inventory", ["read:stock", "write:stock", "admin"]),
    ];

    private static readonly (string Name, string Strategy)[] Connections =
    [
        ("Username-Password-Authentication", "auth0"),
        ("google-oauth2", "google-oauth2"),
        ("github", "github"),
        ("acme-saml", "samlp"),
        ("corp-azure-ad", "waad"),
        ("email", "email"),
    ];

    public static RoleOrganizationData Generate(FakeTenantOptions o, UserEntry[] usersById, List<JsonObject> roles, List<OrganizationData> organizations, List<JsonObject> clients)
    {
        var rnd = new Random(unchecked((o.Seed * 7919) + 11));
        var roleUsers = new Dictionary<string, JsonObject[]>(StringComparer.Ordinal);
        var permissions = new Dictionary<string, JsonObject[]>(StringComparer.Ordinal);
        for (int i = 0; i < roles.Count; i++)
        {
            string roleId = (string)roles[i]["id"]!;
            int wanted = i == 0 && o.UsersInFirstRole is int first ? first : o.UsersPerRole;
            roleUsers[roleId] = [.. Pick(rnd, usersById.Length, wanted).Select(u => RoleUser(usersById[u].Record))];
            permissions[roleId] = Permissions(rnd, o.PermissionsPerRole);
        }

        var connectionIds = Array.ConvertAll(Connections, _ => "con_" + TenantData.RandomAlnum(rnd, 16));
        var invitations = new Dictionary<string, JsonObject[]>(StringComparer.Ordinal);
        var enabled = new Dictionary<string, JsonObject[]>(StringComparer.Ordinal);
        foreach (var org in organizations)
        {
            invitations[org.Id] = Invitations(rnd, o, org, roles, clients, connectionIds);
            enabled[org.Id] = [.. Pick(rnd, Connections.Length, o.ConnectionsPerOrganization).Select(c => EnabledConnection(rnd, Connections[c], connectionIds[c]))];
        }

        return new RoleOrganizationData { RoleUsers = roleUsers, RolePermissions = permissions, Invitations = invitations, EnabledConnections = enabled };
    }

    /// <summary><paramref name="count"/> distinct indexes below <paramref name="n"/> (clamped), ascending.</summary>
    internal static IEnumerable<int> Pick(Random rnd, int n, int count)
    {
        count = Math.Clamp(count, 0, n);
        var picked = new HashSet<int>(count);
        if (count > n / 2)
        {
            // Dense: drop indexes instead of drawing them.
            picked.UnionWith(Enumerable.Range(0, n));
            while (picked.Count > count)
            {
                picked.Remove(rnd.Next(n));
            }
        }
        else
        {
            while (picked.Count < count)
            {
                picked.Add(rnd.Next(n));
            }
        }

        return picked.Order();
    }

    /// <summary><c>RoleUser</c>: the user's id, email, picture and name (a user id order, as the listing serves them).</summary>
    private static JsonObject RoleUser(UserRecord user) => new()
    {
        ["user_id"] = user.UserId,
        ["email"] = user.Email,
        ["picture"] = user.Picture,
        ["name"] = user.Name,
    };

    private static JsonObject[] Permissions(Random rnd, int count)
    {
        var all = Apis.SelectMany(api => api.Permissions.Select(p => (api.Identifier, api.Name, Permission: p))).ToArray();
        return [.. Pick(rnd, all.Length, count).Select(k => new JsonObject
        {
            ["permission_name"] = all[k].Permission,
            ["description"] = char.ToUpperInvariant(all[k].Permission[0]) + all[k].Permission[1..].Replace(':', ' '),
            ["resource_server_name"] = all[k].Name,
            ["resource_server_identifier"] = all[k].Identifier,
        })];
    }

    /// <summary>Newest first (the listing's default sort, <c>created_at:-1</c>); some expired, some with roles and metadata.</summary>
    private static JsonObject[] Invitations(Random rnd, FakeTenantOptions o, OrganizationData org, List<JsonObject> roles, List<JsonObject> clients, string[] connectionIds)
    {
        var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        int count = Math.Max(0, o.InvitationsPerOrganization);
        var result = new JsonObject[count];
        for (int i = 0; i < count; i++)
        {
            var created = start.AddSeconds((double)(count - i) * 3_600 + rnd.Next(3_600)).AddMilliseconds(rnd.Next(1_000));
            string ticket = TenantData.RandomAlnum(rnd, 32);
            string clientId = clients.Count > 0 ? (string)clients[rnd.Next(clients.Count)]["client_id"]! : TenantData.RandomAlnum(rnd, 32);
            var invitation = new JsonObject
            {
                ["id"] = "uinv_" + TenantData.RandomAlnum(rnd, 16),
                ["client_id"] = clientId,
                ["inviter"] = new JsonObject { ["name"] = i % 4 == 0 ? "Admin Team" : "Test Inviter" },
                ["invitee"] = new JsonObject { ["email"] = string.Create(CultureInfo.InvariantCulture, $"invitee{i}@{org.Json["name"]}.example.com") },
                ["invitation_url"] = $"https://app.example.com/login?invitation={ticket}&organization={org.Id}&organization_name={org.Json["name"]}",
                ["ticket_id"] = ticket,
                ["created_at"] = TenantData.FormatTimestamp(created.UtcTicks),
                ["expires_at"] = TenantData.FormatTimestamp(created.AddDays(7).UtcTicks),
                ["organization_id"] = org.Id,
            };
            if (rnd.Next(3) == 0)
            {
                invitation["connection_id"] = connectionIds[rnd.Next(connectionIds.Length)];
            }

            if (roles.Count > 0 && rnd.Next(2) == 0)
            {
                invitation["roles"] = new JsonArray((string)roles[rnd.Next(roles.Count)]["id"]!);
            }

            if (rnd.Next(4) == 0)
            {
                invitation["app_metadata"] = new JsonObject { ["plan"] = "pro" };
                invitation["user_metadata"] = new JsonObject { ["invited_by_team"] = "sales", ["seats"] = rnd.Next(1, 50) };
            }

            if (i % 5 == 2)
            {
                // An attribute the connector's schema does not know: it must pass through untouched.
                invitation["custom_field_x"] = new JsonObject { ["source"] = "crm", ["batch"] = i };
            }

            result[i] = invitation;
        }

        return result;
    }

    /// <summary><c>OrganizationConnection</c>; <c>is_signup_enabled</c> only for database connections.</summary>
    private static JsonObject EnabledConnection(Random rnd, (string Name, string Strategy) connection, string id)
    {
        var row = new JsonObject
        {
            ["connection_id"] = id,
            ["assign_membership_on_login"] = rnd.Next(2) == 0,
            ["show_as_button"] = rnd.Next(4) != 0,
        };
        if (connection.Strategy == "auth0")
        {
            row["is_signup_enabled"] = rnd.Next(2) == 0;
        }

        row["connection"] = new JsonObject { ["name"] = connection.Name, ["strategy"] = connection.Strategy };
        if (connection.Strategy == "samlp")
        {
            // An attribute the connector's schema does not know: it must pass through untouched.
            row["custom_field_x"] = new JsonObject { ["idp_initiated"] = true };
        }

        return row;
    }
}
