using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Auth0Connector.FakeTenant;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Streams;

/// <summary>Full reads against the fake tenant: every record of every stream, exactly once.</summary>
public class StreamsIntegrationTests : IDisposable
{
    private readonly TempFiles _files = new();

    private static void AssertNoRequestHitTheCap(FakeTenant.FakeTenant tenant)
    {
        var rejected = tenant.Server.LogEntries.Where(e => e.ResponseMessage?.StatusCode is int code && code == (int)HttpStatusCode.BadRequest).ToList();
        Assert.True(rejected.Count == 0, $"requests rejected with 400: {string.Join(", ", rejected.Select(e => e.RequestMessage?.Url))}");
    }

    /// <summary>Per stream: STARTED, RUNNING, COMPLETE; STATE counts add up to the records; no repeated state with records between.</summary>
    private static void AssertWellFormedStream(ConnectorRun run, string stream)
    {
        Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses(stream));
        var records = run.Records(stream).Count();
        var states = run.States(stream).ToList();
        Assert.NotEmpty(states);
        Assert.Equal(records, states.Sum(s => s.GetProperty("sourceStats").GetProperty("recordCount").GetDouble()));
        for (var i = 1; i < states.Count; i++)
        {
            var same = states[i].GetProperty("stream").GetProperty("stream_state").GetRawText() == states[i - 1].GetProperty("stream").GetProperty("stream_state").GetRawText();
            Assert.False(same && states[i].GetProperty("sourceStats").GetProperty("recordCount").GetDouble() > 0, $"{stream}: the same state twice with records between");
        }

        // The stream's last message of its kind is its final STATE, after its last record.
        var lines = run.Lines.Select((line, index) => (line, index)).ToList();
        var lastRecord = lines.LastOrDefault(l => l.line.Contains("\"type\":\"RECORD\"", StringComparison.Ordinal) && l.line.Contains($"\"stream\":\"{stream}\"", StringComparison.Ordinal)).index;
        var lastState = lines.Last(l => l.line.Contains("\"type\":\"STATE\"", StringComparison.Ordinal) && l.line.Contains($"\"name\":\"{stream}\"", StringComparison.Ordinal)).index;
        Assert.True(lastState > lastRecord);
    }

    [Fact]
    public async Task Reads_every_record_of_every_stream_exactly_once_300_users_7_orgs_5_clients()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 300, Organizations = 7, Clients = 5 });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(TenantFiles.AllStreams)]);

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Errors);
        Assert.Equal(tenant.Clients.Select(c => (string)c["client_id"]!).Order(), run.Records("clients").Select(r => r.GetProperty("client_id").GetString()).Order());
        Assert.Equal(tenant.Organizations.Select(o => (string)o["id"]!).Order(), run.Records("organizations").Select(r => r.GetProperty("id").GetString()).Order());

        var expectedMembers = tenant.Organizations.SelectMany(o => tenant.MembersOf((string)o["id"]!).Select(m => $"{o["id"]}/{m["user_id"]}")).Order().ToList();
        Assert.Equal(expectedMembers, run.Records("organization_members").Select(r => $"{r.GetProperty("org_id").GetString()}/{r.GetProperty("user_id").GetString()}").Order());

        var expectedRoles = tenant.Organizations.SelectMany(o => tenant.MembersOf((string)o["id"]!)
            .SelectMany(m => tenant.RolesOf((string)o["id"]!, (string)m["user_id"]!).Select(r => $"{o["id"]}/{m["user_id"]}/{r["id"]}"))).Order().ToList();
        Assert.NotEmpty(expectedRoles);
        Assert.Equal(expectedRoles, run.Records("organization_member_roles").Select(r => $"{r.GetProperty("org_id").GetString()}/{r.GetProperty("user_id").GetString()}/{r.GetProperty("id").GetString()}").Order());

        var users = run.Records("users").Select(r => r.GetProperty("user_id").GetString()).ToList();
        Assert.Equal(300, users.Count);
        Assert.Equal(tenant.Users.Select(u => (string)u["user_id"]!).Order(), users.Order());

        foreach (var stream in TenantFiles.AllStreams)
        {
            AssertWellFormedStream(run, stream);
        }

        AssertNoRequestHitTheCap(tenant);
        Assert.Equal(1, tenant.TokenRequestCount);
    }

    [Theory]
    [InlineData(1_200, 100)]
    [InlineData(995, 30)] // 30 per page reaches only the first 990 by offset: must switch to checkpoint paging
    public async Task Clients_and_organizations_past_the_offset_cap_are_read_completely(int clients, int pageSize)
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 1_200, Organizations = 1_100, MembersPerOrganization = 1, Clients = clients });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant, $$""", "page_size": {{pageSize}}"""), "--catalog", _files.Catalog(["clients", "organizations"])]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(tenant.Clients.Select(c => (string)c["client_id"]!).Order(), run.Records("clients").Select(r => r.GetProperty("client_id").GetString()).Order());
        Assert.Equal(1_100, tenant.Organizations.Count);
        Assert.Equal(tenant.Organizations.Select(o => (string)o["id"]!).Order(), run.Records("organizations").Select(r => r.GetProperty("id").GetString()).Order());
        AssertWellFormedStream(run, "clients");
        AssertWellFormedStream(run, "organizations");
        AssertNoRequestHitTheCap(tenant);
    }

    [Fact]
    public async Task An_organization_with_2500_members_is_read_completely()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 3_000, Organizations = 1, MembersPerOrganization = 2_500 });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["organization_members", "organization_member_roles"])]);

        Assert.Equal(0, run.ExitCode);
        var orgId = (string)tenant.Organizations.Single()["id"]!;
        var expected = tenant.MembersOf(orgId).Select(m => (string)m["user_id"]!).Order().ToList();
        Assert.Equal(2_500, expected.Count);
        Assert.Equal(expected, run.Records("organization_members").Select(r => r.GetProperty("user_id").GetString()).Order());
        var expectedRoles = tenant.MembersOf(orgId).SelectMany(m => tenant.RolesOf(orgId, (string)m["user_id"]!).Select(r => $"{m["user_id"]}/{r["id"]}")).Order().ToList();
        Assert.Equal(expectedRoles, run.Records("organization_member_roles").Select(r => $"{r.GetProperty("user_id").GetString()}/{r.GetProperty("id").GetString()}").Order());
        AssertWellFormedStream(run, "organization_members");
        AssertNoRequestHitTheCap(tenant);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Clients_and_organizations_pass_through_untouched_with_secrets_only_under_read_client_keys(bool clientKeys)
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions
        {
            Users = 50,
            Organizations = 4,
            Clients = 6,
            GrantedScopes = clientKeys ? [.. FakeTenant.FakeTenant.AllScopes, "read:client_keys"] : FakeTenant.FakeTenant.AllScopes,
        });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["clients", "organizations"])]);

        Assert.Equal(0, run.ExitCode);
        var storedClients = tenant.Clients.ToDictionary(c => (string)c["client_id"]!);
        foreach (var record in run.Records("clients"))
        {
            var stored = storedClients[record.GetProperty("client_id").GetString()!];
            var expected = (JsonObject)stored.DeepClone();
            if (!clientKeys)
            {
                // Auth0 serves secrets and signing keys only with read:client_keys.
                expected.Remove("client_secret");
                expected.Remove("signing_keys");
                expected.Remove("encryption_key");
            }

            Assert.Equal(clientKeys, record.TryGetProperty("client_secret", out _));
            Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(record.GetRawText())), "client record changed in transit");
        }

        Assert.Equal(6, run.Records("clients").Count());
        var storedOrgs = tenant.Organizations.ToDictionary(o => (string)o["id"]!);
        foreach (var record in run.Records("organizations"))
        {
            Assert.True(JsonNode.DeepEquals(storedOrgs[record.GetProperty("id").GetString()!], JsonNode.Parse(record.GetRawText())), "organization record changed in transit");
        }
    }

    [Fact]
    public async Task Records_pass_through_untouched_apart_from_the_added_parent_ids()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 120, Organizations = 2, MembersPerOrganization = 5 });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["users", "organization_members", "organization_member_roles"])]);

        Assert.Equal(0, run.ExitCode);
        var served = tenant.Users.ToDictionary(u => (string)u["user_id"]!);
        var withCustomField = 0;
        foreach (var record in run.Records("users"))
        {
            var node = JsonNode.Parse(record.GetRawText())!;
            Assert.True(JsonNode.DeepEquals(served[record.GetProperty("user_id").GetString()!], node), "user record changed in transit");
            withCustomField += record.TryGetProperty("custom_field_x", out _) ? 1 : 0;
        }

        Assert.True(withCustomField > 0, "the tenant should serve some users with an unknown field");
        var member = run.Records("organization_members").First();
        var orgId = member.GetProperty("org_id").GetString()!;
        var servedMember = tenant.MembersOf(orgId).Single(m => (string)m["user_id"]! == member.GetProperty("user_id").GetString());
        var expected = new JsonObject { ["org_id"] = orgId };
        foreach (var property in servedMember)
        {
            expected[property.Key] = property.Value?.DeepClone();
        }

        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(member.GetRawText())));
        var role = run.Records("organization_member_roles").First();
        Assert.StartsWith("org_", role.GetProperty("org_id").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(role.GetProperty("user_id").GetString()));
        Assert.StartsWith("rol_", role.GetProperty("id").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Twelve_thousand_users_arrive_as_twelve_thousand_distinct_ids_without_hitting_the_cap()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 12_000, Organizations = 0 });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["users"], usersFullRefresh: true)]);

        Assert.Equal(0, run.ExitCode);
        var ids = run.Records("users").Select(r => r.GetProperty("user_id").GetString()).ToList();
        Assert.Equal(12_000, ids.Count);
        Assert.Equal(12_000, ids.Distinct().Count());
        AssertWellFormedStream(run, "users");
        AssertNoRequestHitTheCap(tenant);
        // Progress: the first search's hit count is announced.
        var estimate = run.OfType("TRACE").Select(t => t.GetProperty("trace")).Single(t => t.GetProperty("type").GetString() == "ESTIMATE");
        Assert.Equal(12_000, estimate.GetProperty("estimate").GetProperty("row_estimate").GetInt64());
    }

    [Fact]
    public async Task Incremental_sync_resumes_from_the_state_and_picks_up_updated_users()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 1_500, Organizations = 0 });
        var config = _files.ClientCredentialsConfig(tenant);
        var catalog = _files.Catalog(["users"]);

        var first = await ConnectorRun.InvokeAsync(["read", "--config", config, "--catalog", catalog]);
        Assert.Equal(1_500, first.Records("users").Select(r => r.GetProperty("user_id").GetString()).Distinct().Count());
        var finalState = first.States("users").Last().GetProperty("stream").GetProperty("stream_state");
        var newest = tenant.UsersByUpdatedAt[^1];
        Assert.Equal(newest.UpdatedAt, DateTimeOffset.Parse(finalState.GetProperty("updated_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture));

        var changed = tenant.UserIds.Take(3).ToList();
        foreach (var id in changed)
        {
            tenant.UpdateUser(id, DateTimeOffset.UtcNow.AddMinutes(-5));
        }

        var second = await ConnectorRun.InvokeAsync(["read", "--config", config, "--catalog", catalog, "--state", _files.StateFrom(first)]);

        Assert.Equal(0, second.ExitCode);
        var delivered = second.Records("users").Select(r => r.GetProperty("user_id").GetString()!).ToHashSet();
        Assert.Superset(changed.ToHashSet(), delivered);
        // The state's own instant is read again (inclusive start): at most the users at that millisecond.
        Assert.True(delivered.Count <= changed.Count + 1, $"re-delivered {delivered.Count - changed.Count} unchanged users");
        AssertWellFormedStream(second, "users");
    }

    [Fact]
    public async Task Legacy_state_object_is_understood()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 200, Organizations = 0 });
        var cutoff = tenant.UsersByUpdatedAt[150].UpdatedAt;
        var cutoffText = cutoff.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var state = _files.Write("legacy.json", "{\"users\": {\"updated_at\": \"" + cutoffText + "\"}}");

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["users"]), "--state", state]);

        Assert.Equal(tenant.UsersByUpdatedAt.Where(u => u.UpdatedAt >= cutoff).Select(u => u.UserId).Order(), run.Records("users").Select(r => r.GetProperty("user_id").GetString()).Order());
    }

    [Fact]
    public async Task Start_date_limits_users_and_its_absence_means_all_users()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 400, Organizations = 0 });
        var startDate = tenant.UsersByUpdatedAt[300].UpdatedAt;
        var config = _files.ClientCredentialsConfig(tenant, $$""", "start_date": "{{startDate.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}}" """);

        var limited = await ConnectorRun.InvokeAsync(["read", "--config", config, "--catalog", _files.Catalog(["users"])]);
        var all = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["users"])]);

        Assert.Equal(100, limited.Records("users").Count());
        Assert.Equal(400, all.Records("users").Count());
    }

    [Fact]
    public async Task Hundreds_of_users_sharing_one_millisecond_arrive_exactly_once()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 2_000, UsersSharingOneTimestamp = 750, Organizations = 0 });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["users"])]);

        Assert.Equal(0, run.ExitCode);
        var ids = run.Records("users").Select(r => r.GetProperty("user_id").GetString()).ToList();
        Assert.Equal(2_000, ids.Count);
        Assert.Equal(2_000, ids.Distinct().Count());
        AssertWellFormedStream(run, "users");
        AssertNoRequestHitTheCap(tenant);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task More_than_1000_users_in_one_millisecond_are_read_through_a_users_export(bool incremental)
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 25_000, UsersSharingOneTimestamp = 1_500, Organizations = 0, ExportJobPolls = 1 });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["users", "clients"], usersFullRefresh: !incremental), "--debug"]);

        Assert.Equal(0, run.ExitCode);
        var ids = run.Records("users").Select(r => r.GetProperty("user_id").GetString()).ToList();
        Assert.Equal(25_000, ids.Count);
        // The download link's signed query is a credential: --debug logs its path only.
        Assert.Contains("GET /exports/", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("(signed query not logged)", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Signature=", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(tenant.UserIds.Order(), ids.Order());
        Assert.Equal(1, tenant.ExportJobCount);
        AssertWellFormedStream(run, "users");
        Assert.Contains(run.OfType("LOG"), l => l.GetProperty("log").GetProperty("message").GetString()!.Contains("users export", StringComparison.Ordinal));
        Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses("clients"));
        AssertNoRequestHitTheCap(tenant);
        // The export download carried no Authorization header (the fake answers 400 if it does).
        Assert.DoesNotContain(tenant.Server.LogEntries, e => e.RequestMessage?.Path?.StartsWith("/exports/", StringComparison.Ordinal) == true && e.ResponseMessage?.StatusCode is int code && code != 200);

        // Exported users carry the documented profile fields as searched ones do (the job names them:
        // Auth0's default set is smaller). Only custom top-level attributes cannot be exported.
        string[] documented = ["user_id", "email", "email_verified", "username", "phone_number", "phone_verified", "created_at", "updated_at", "identities", "app_metadata", "user_metadata", "picture", "name", "nickname", "multifactor", "last_ip", "last_login", "logins_count", "blocked", "given_name", "family_name"];
        var stored = tenant.Users.ToDictionary(u => (string)u["user_id"]!);
        var shared = tenant.SharedUpdatedAt!.Value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var exported = run.Records("users").Where(r => r.GetProperty("updated_at").GetString() == shared).ToList();
        Assert.True(exported.Count >= 1_000, $"{exported.Count} users at the shared instant");
        foreach (var record in exported)
        {
            var user = stored[record.GetProperty("user_id").GetString()!];
            foreach (var field in documented.Where(f => user.ContainsKey(f)))
            {
                Assert.True(record.TryGetProperty(field, out var value) && JsonNode.DeepEquals(user[field], JsonNode.Parse(value.GetRawText())), $"exported user lacks or changed {field}");
            }
        }
    }

    [Fact]
    public async Task An_export_download_that_breaks_off_fails_the_users_stream_as_a_transient_error()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 3_000, UsersSharingOneTimestamp = 1_200, Organizations = 0, ExportJobPolls = 1, ExportDownloadBreaks = true });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["users", "clients"], usersFullRefresh: true)]);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Equal("INCOMPLETE", run.Statuses("users").Last());
        Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses("clients"));
        var error = Assert.Single(run.Errors);
        Assert.Equal("transient_error", error.GetProperty("failure_type").GetString());
        Assert.Contains("broke off", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Users_hidden_by_search_index_lag_are_delivered_by_the_next_incremental_sync()
    {
        var tenantTime = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 300, Organizations = 0, Time = tenantTime, SearchIndexLag = TimeSpan.FromSeconds(5) });
        var config = _files.ClientCredentialsConfig(tenant);
        var catalog = _files.Catalog(["users"]);
        var first = await ConnectorRun.InvokeAsync(["read", "--config", config, "--catalog", catalog]);
        Assert.Equal(300, first.Records("users").Count());

        // Two users change just before the next sync. The later change is already searchable, the
        // earlier one not yet (index lag), so that sync's cursor moves past the hidden user.
        var now = DateTimeOffset.UtcNow;
        var hidden = tenant.UserIds[10];
        var visible = tenant.UserIds[20];
        tenant.UpdateUser(visible, now.AddSeconds(-10));
        tenantTime.Advance(TimeSpan.FromSeconds(6));
        tenant.UpdateUser(hidden, now.AddSeconds(-20));
        var second = await ConnectorRun.InvokeAsync(["read", "--config", config, "--catalog", catalog, "--state", _files.StateFrom(first)]);
        var secondIds = second.Records("users").Select(r => r.GetProperty("user_id").GetString()).ToHashSet();
        Assert.Contains(visible, secondIds);
        Assert.DoesNotContain(hidden, secondIds);

        tenantTime.Advance(TimeSpan.FromSeconds(6));
        var third = await ConnectorRun.InvokeAsync(["read", "--config", config, "--catalog", catalog, "--state", _files.StateFrom(second)]);

        var thirdUsers = third.Records("users").ToDictionary(r => r.GetProperty("user_id").GetString()!);
        Assert.True(thirdUsers.ContainsKey(hidden), "the user the index hid was lost");
        Assert.Equal(tenant.Users.Single(u => (string)u["user_id"]! == hidden)["updated_at"]!.GetValue<string>(), thirdUsers[hidden].GetProperty("updated_at").GetString());
    }

    [Fact]
    public async Task A_tenant_capping_per_page_at_50_is_read_completely_with_the_smaller_page()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 260, Organizations = 3, MembersPerOrganization = 60, MaxPerPage = 50 });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(TenantFiles.AllStreams)]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(260, run.Records("users").Select(r => r.GetProperty("user_id").GetString()).Distinct().Count());
        Assert.Equal(180, run.Records("organization_members").Count());
        // One rejected request teaches the connector the tenant's maximum.
        Assert.Equal(1, tenant.Server.LogEntries.Count(e => e.ResponseMessage?.StatusCode is int code && code == 400));
    }

    [Fact]
    public async Task A_tenant_without_organizations_syncs_empty_organization_streams()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 10, OrganizationsFeature = false });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["organizations", "organization_members", "organization_member_roles"])]);

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.OfType("RECORD"));
        foreach (var stream in new[] { "organizations", "organization_members", "organization_member_roles" })
        {
            // Airbyte's acceptance tests require RUNNING between STARTED and COMPLETE, records or not.
            Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses(stream));
            Assert.Single(run.States(stream));
        }
    }

    [Fact]
    public async Task An_organization_deleted_mid_sync_is_skipped_with_a_warning()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 100, Organizations = 3, MembersPerOrganization = 5 });
        var gone = (string)tenant.Organizations[1]["id"]!;
        tenant.Server.Given(WireMock.RequestBuilders.Request.Create().WithPath($"/api/v2/organizations/{gone}/members*").UsingGet())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(404).WithHeader("Content-Type", "application/json")
                .WithBody("""{"statusCode":404,"error":"Not Found","message":"No organization found by that id or name"}"""));

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["organization_members", "organization_member_roles"])]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(10, run.Records("organization_members").Count());
        Assert.DoesNotContain(run.Records("organization_members"), r => r.GetProperty("org_id").GetString() == gone);
        Assert.Equal(20, run.Records("organization_member_roles").Count());
        Assert.Equal(2, run.OfType("LOG").Count(l => l.GetProperty("log").GetProperty("level").GetString() == "WARN" && l.GetProperty("log").GetProperty("message").GetString()!.Contains(gone, StringComparison.Ordinal)));
        Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses("organization_members"));
    }

    public void Dispose() => _files.Dispose();
}
