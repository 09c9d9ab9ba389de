using System.Globalization;
using System.Text.Json.Nodes;

namespace Auth0Connector.FakeTenant;

/// <summary>
/// What the group endpoints serve (docs/auth0-endpoints.md §2.15–2.17): the groups, each group's members (users and
/// nested groups) and each role's groups, in the order the listings serve them.
/// </summary>
internal sealed class GroupData
{
    public required JsonObject[] Groups { get; init; }

    public required Dictionary<string, JsonObject[]> Members { get; init; }

    public required Dictionary<string, JsonObject[]> RoleGroups { get; init; }
}

/// <summary>Deterministic generation (from the seed) of <see cref="GroupData"/>.</summary>
internal static class GroupGenerator
{
    /// <summary>The characters of a group id after <c>grp_</c> (<c>^grp_[1-9a-km-zA-HJ-NP-Z]{14,22}$</c>).</summary>
    private const string Base58 = "123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";

    private static readonly string[] Teams = ["Engineering", "Finance", "Sales", "Support", "Security", "Marketing", "Legal", "Operations"];

    public static GroupData Generate(FakeTenantOptions o, UserEntry[] usersById, List<JsonObject> roles, IReadOnlyList<JsonObject> connections)
    {
        var rnd = new Random(unchecked((o.Seed * 7919) + 31));
        var directories = connections.Where(c => (string?)c["strategy"] is "waad" or "okta" or "samlp").Select(c => (string)c["id"]!).ToArray();
        if (directories.Length == 0)
        {
            directories = ["con_" + TenantData.RandomAlnum(rnd, 16)];
        }

        var start = new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);
        int count = Math.Max(0, o.Groups);
        var groups = new JsonObject[count];
        for (int i = 0; i < count; i++)
        {
            var created = start.AddMinutes(i * 37 + rnd.Next(30)).AddMilliseconds(rnd.Next(1_000));
            var group = new JsonObject
            {
                ["id"] = "grp_" + string.Concat(Enumerable.Range(0, 22).Select(_ => Base58[rnd.Next(Base58.Length)])),
                ["name"] = i < Teams.Length ? Teams[i] : string.Create(CultureInfo.InvariantCulture, $"{Teams[i % Teams.Length]}-{i / Teams.Length}"),
            };

            // The last of the first eight is a tenant group (no connection, no SCIM id); the others come from a directory.
            if (i % Teams.Length != Teams.Length - 1)
            {
                group["external_id"] = Guid.Parse(TenantData.RandomHex(rnd, 32)).ToString();
                group["connection_id"] = directories[i % directories.Length];
            }

            group["tenant_name"] = o.TenantName;
            group["created_at"] = TenantData.FormatTimestamp(created.UtcTicks);
            group["updated_at"] = TenantData.FormatTimestamp(created.AddDays(rnd.Next(0, 90)).AddSeconds(rnd.Next(86_400)).UtcTicks);
            groups[i] = group;
        }

        Array.Sort(groups, (a, b) => string.CompareOrdinal((string)a["id"]!, (string)b["id"]!));
        var members = new Dictionary<string, JsonObject[]>(StringComparer.Ordinal);
        for (int i = 0; i < groups.Length; i++)
        {
            int wanted = i == 0 && o.MembersInFirstGroup is int first ? first : o.MembersPerGroup;
            var rows = RoleOrganizationGenerator.Pick(rnd, usersById.Length, wanted).Select(u => Member(rnd, usersById[u].Id, "user", groups[i], start)).ToList();
            if (i == 2)
            {
                // A nested group: the first group is a member of the third.
                rows.Add(Member(rnd, (string)groups[0]["id"]!, "group", groups[0], start));
            }

            members[(string)groups[i]["id"]!] = [.. rows.OrderBy(r => (string)r["id"]!, StringComparer.Ordinal)];
        }

        var roleGroups = new Dictionary<string, JsonObject[]>(StringComparer.Ordinal);
        for (int i = 0; i < roles.Count; i++)
        {
            int wanted = i == 0 && o.GroupsOfFirstRole is int first ? first : o.GroupsPerRole;
            roleGroups[(string)roles[i]["id"]!] = [.. RoleOrganizationGenerator.Pick(rnd, groups.Length, wanted).Select(g => groups[g])];
        }

        return new GroupData { Groups = groups, Members = members, RoleGroups = roleGroups };
    }

    /// <summary>
    /// <c>GroupMember</c>: the member's id, <c>member_type</c> (<c>user</c> or <c>group</c>), the group type and
    /// connection of <paramref name="of"/> (the group the user belongs to, or the nested group), and when it joined.
    /// </summary>
    private static JsonObject Member(Random rnd, string id, string memberType, JsonObject of, DateTimeOffset start)
    {
        var row = new JsonObject
        {
            ["id"] = id,
            ["member_type"] = memberType,
            ["type"] = of["connection_id"] is null ? "tenant" : "connection",
        };
        if (of["connection_id"] is { } connection)
        {
            row["connection_id"] = connection.DeepClone();
        }

        row["created_at"] = TenantData.FormatTimestamp(start.AddDays(100 + rnd.Next(200)).AddSeconds(rnd.Next(86_400)).UtcTicks);
        return row;
    }
}
