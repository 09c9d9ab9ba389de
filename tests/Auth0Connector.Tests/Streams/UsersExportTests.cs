using System.Globalization;
using System.Net;
using Auth0Connector.FakeTenant;
using Auth0Connector.Streams.Cursors;
using Auth0Connector.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Auth0Connector.Tests.Streams;

/// <summary>Users exports as Auth0 runs them: refused by the plan, slow, with links that expire; one job per sync.</summary>
public class UsersExportTests : IDisposable
{
    private readonly TempFiles _files = new();

    private static string Format(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static int Requests(FakeTenant.FakeTenant tenant, string method, string pathPrefix, int? status = null) =>
        tenant.Server.LogEntries.Count(e => e.RequestMessage?.Method == method && e.RequestMessage.Path.StartsWith(pathPrefix, StringComparison.Ordinal)
            && (status is null || e.ResponseMessage?.StatusCode is int code && code == status));

    private static IEnumerable<string> Logs(ConnectorRun run, string level) =>
        run.OfType("LOG").Select(l => l.GetProperty("log")).Where(l => l.GetProperty("level").GetString() == level).Select(l => l.GetProperty("message").GetString()!);

    [Fact]
    public async Task Read_PlanWithoutExports_WarnsOnceAndFailsNamingTheInstant()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 3_000, UsersSharingOneTimestamp = 1_200, Organizations = 0, UsersExportFeature = false });
        var instant = Format(tenant.SharedUpdatedAts[0]);

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant, """, "max_concurrency": 1"""), "--catalog", _files.Catalog(["users", "clients"], usersFullRefresh: true)]);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Equal("INCOMPLETE", run.Statuses("users").Last());
        Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses("clients"));
        var error = Assert.Single(run.Errors);
        var message = error.GetProperty("message").GetString()!;
        Assert.Equal("system_error", error.GetProperty("failure_type").GetString());
        Assert.Contains(instant, message, StringComparison.Ordinal);
        Assert.Contains("plan has no users export", message, StringComparison.Ordinal);
        Assert.DoesNotContain("scope", message, StringComparison.OrdinalIgnoreCase);
        var warning = Assert.Single(Logs(run, "WARN"), m => m.Contains("users export", StringComparison.Ordinal));
        Assert.Contains("range queries", warning, StringComparison.Ordinal);
        // The job was asked for once, refused, and never again.
        Assert.Equal(1, Requests(tenant, "POST", "/api/v2/jobs/users-exports"));
        Assert.Equal(0, tenant.ExportJobCount);
        // Every user before the instant was delivered by range queries; no state passes the instant.
        var before = tenant.Users.Where(u => string.CompareOrdinal((string)u["updated_at"]!, instant) < 0).Select(u => (string)u["user_id"]!).Order();
        Assert.Equal(before, run.Records("users").Where(r => string.CompareOrdinal(r.GetProperty("updated_at").GetString(), instant) < 0).Select(r => r.GetProperty("user_id").GetString()!).Order());
        Assert.All(run.States("users"), s => Assert.True(string.CompareOrdinal(s.GetProperty("stream").GetProperty("stream_state").GetProperty("updated_at").GetString(), instant) <= 0));
    }

    [Fact]
    public async Task PostUsersExport_FreePlanTenant_RefusedAsAuth0RefusesAFeatureThePlanLacks()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 10, Organizations = 0, RateLimitPlan = RateLimitPlan.Free });
        using var http = new HttpClient();
        using var token = await http.PostAsync(new Uri($"{tenant.BaseUrl}/oauth/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = tenant.Options.ClientId, ["client_secret"] = tenant.Options.ClientSecret, ["audience"] = $"{tenant.BaseUrl}/api/v2/",
        }));
        var accessToken = System.Text.Json.JsonDocument.Parse(await token.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"{tenant.BaseUrl}/api/v2/jobs/users-exports")) { Content = new StringContent("""{"format":"json"}""", System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", accessToken);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("insufficient_scope", body.GetProperty("errorCode").GetString());
        Assert.Contains("upgrade your subscription", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, tenant.ExportJobCount);
    }

    [Fact]
    public async Task Read_JobOfNineHours_WaitedForWithProgressAndPolledAsTheJobAsks()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 3_000, UsersSharingOneTimestamp = 1_200, Organizations = 0, Time = time, ExportJobDuration = TimeSpan.FromHours(9), TokenLifetime = TimeSpan.FromDays(2) });

        ConnectorRun run;
        TimeSpan took;
        // The clock races 15 s per step while the job runs: no attempt or body may be cut for taking a few steps.
        await using (var pump = new ClockPump(time, TimeSpan.FromSeconds(15), only: () => tenant.ExportJobCount > 0))
        {
            run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant, """, "request_timeout_seconds": 600, "stall_timeout_seconds": 600"""), "--catalog", _files.Catalog(["users"], usersFullRefresh: true)], time);
            took = pump.Advanced;
        }

        Assert.True(run.ExitCode == 0, string.Join("\n", run.Errors.Select(e => e.GetProperty("message").GetString())));
        Assert.Equal(tenant.UserIds.Order(), run.Records("users").Select(r => r.GetProperty("user_id").GetString()).Order());
        Assert.Equal(1, tenant.ExportJobCount);
        Assert.InRange(took, TimeSpan.FromHours(9), TimeSpan.FromHours(12));
        // Half the job's own estimate, at most 5 minutes: about 110 polls for 9 hours, not 16,200 at one per 2 s.
        Assert.InRange(tenant.ExportJobPollCount, 100, 160);
        var progress = Logs(run, "INFO").Where(m => m.Contains("% done", StringComparison.Ordinal)).ToList();
        Assert.InRange(progress.Count, 10, 40);
        Assert.Contains(progress, m => m.Contains("about 8 h", StringComparison.Ordinal) && m.Contains("of at most 12 h", StringComparison.Ordinal));
        // Timed from the first poll, which the clock pump (moving once the job exists) may already be 15 s past: about 9 h.
        Assert.Contains(Logs(run, "INFO"), m => System.Text.RegularExpressions.Regex.IsMatch(m, "completed after (8 h 5[0-9] min|9 h|10 h|11 h)"));
    }

    [Fact]
    public async Task Read_JobLongerThanTheLimit_TransientErrorNamingTheSetting()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 3_000, UsersSharingOneTimestamp = 1_200, Organizations = 0, Time = time, ExportJobDuration = TimeSpan.FromHours(3) });

        ConnectorRun run;
        await using (new ClockPump(time, TimeSpan.FromSeconds(15), only: () => tenant.ExportJobCount > 0))
        {
            run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant, """, "request_timeout_seconds": 600, "stall_timeout_seconds": 600, "users_export_timeout_hours": 1"""), "--catalog", _files.Catalog(["users"], usersFullRefresh: true)], time);
        }

        var error = Assert.Single(run.Errors);
        Assert.Equal("transient_error", error.GetProperty("failure_type").GetString());
        Assert.Contains("did not complete within 60 min (users_export_timeout_hours)", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, tenant.ExportJobCount);
    }

    [Fact]
    public async Task Read_ExpiredLinks_FetchedAgainFromTheSameJob()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 3_000, UsersSharingOneTimestamp = 1_200, Organizations = 0, ExportJobPolls = 1, ExpiredExportLinks = 2 });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["users"], usersFullRefresh: true)]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(tenant.UserIds.Order(), run.Records("users").Select(r => r.GetProperty("user_id").GetString()).Order());
        Assert.Equal(1, tenant.ExportJobCount);
        Assert.Equal(2, Requests(tenant, "GET", "/exports/", 403));
        Assert.Equal(1, Requests(tenant, "GET", "/exports/", 200));
        Assert.Equal(2, Logs(run, "INFO").Count(m => m.Contains("asking the job for a fresh one", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Read_LinksThatAlwaysExpire_TransientErrorAfterFreshLinksNotASecondJob()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 3_000, UsersSharingOneTimestamp = 1_200, Organizations = 0, ExportJobPolls = 1, ExportLinkLifetime = TimeSpan.Zero });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["users"], usersFullRefresh: true)]);

        Assert.NotEqual(0, run.ExitCode);
        var error = Assert.Single(run.Errors);
        Assert.Equal("transient_error", error.GetProperty("failure_type").GetString());
        Assert.Contains("links expired", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("scope", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, tenant.ExportJobCount);
        Assert.Equal(UsersExport.MaxFreshLinks + 1, Requests(tenant, "GET", "/exports/", 403));
    }

    [Fact]
    public async Task Read_TwoBulkInstants_OneExportJobServesBoth()
    {
        using var tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 6_000, UsersSharingOneTimestamp = 1_100, SharedTimestampBlocks = 2, Organizations = 0, ExportJobPolls = 1 });

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", _files.Catalog(["users"])]);

        Assert.Equal(0, run.ExitCode);
        var ids = run.Records("users").Select(r => r.GetProperty("user_id").GetString()).ToList();
        Assert.Equal(tenant.UserIds.Order(), ids.Order());
        Assert.Equal(2, tenant.SharedUpdatedAts.Count);
        Assert.Equal(1, tenant.ExportJobCount);
        Assert.Equal(2, Requests(tenant, "GET", "/exports/", 200));
    }

    [Theory]
    [InlineData(0, null, 2)]
    [InlineData(3, null, 6.75)]
    [InlineData(30, null, 60)]
    [InlineData(0, 3 * 3600, 300)]
    [InlineData(5, 100, 50)]
    [InlineData(5, 1, 2)]
    public void NextPoll_EstimateOrBackoff_NoFasterThanTheJobNeeds(int poll, int? secondsLeft, double expectedSeconds)
    {
        var wait = UsersExportJob.NextPoll(poll, secondsLeft is { } s ? TimeSpan.FromSeconds(s) : null);

        Assert.Equal(expectedSeconds, wait.TotalSeconds, 3);
    }

    public void Dispose() => _files.Dispose();
}
