using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Auth0Connector.FakeTenant;
using Auth0Connector.Protocol;
using Auth0Connector.Tests.Support;
using Json.Schema;
using Microsoft.Extensions.Time.Testing;

namespace Auth0Connector.Tests.Streams;

/// <summary>
/// The logs stream against the fake tenant's <c>GET /api/v2/logs</c>: checkpoint walks far past the search's
/// 1000-result cap, incremental syncs that deliver each event once, retention gaps, kill-safety and scope errors.
/// </summary>
public class LogsStreamTests : IDisposable
{
    private readonly TempFiles _files = new();

    private static FakeTenant.FakeTenant Start(int logs, Action<FakeTenantOptions>? configure = null)
    {
        var options = new FakeTenantOptions { Users = 10, Organizations = 0, Clients = 2, Logs = logs };
        configure?.Invoke(options);
        return FakeTenant.FakeTenant.Start(options);
    }

    private string Catalog(string mode) => _files.Write($"catalog-{Guid.NewGuid():N}.json", $$"""
        {"streams": [{"stream": {"name": "logs", "json_schema": {}, "supported_sync_modes": ["full_refresh", "incremental"]},
                      "sync_mode": "{{mode}}", "destination_sync_mode": "{{(mode == "incremental" ? "append" : "overwrite")}}"}]}
        """);

    private Task<ConnectorRun> ReadAsync(FakeTenant.FakeTenant tenant, string mode = "incremental", string? state = null, string extra = "")
    {
        string[] args = ["read", "--config", _files.ClientCredentialsConfig(tenant, extra), "--catalog", Catalog(mode)];
        return ConnectorRun.InvokeAsync(state is null ? args : [.. args, "--state", state]);
    }

    private string StateFile(JsonElement streamState) =>
        _files.Write($"state-{Guid.NewGuid():N}.json", $$$"""[{"type": "STREAM", "stream": {"stream_descriptor": {"name": "logs"}, "stream_state": {{{streamState.GetRawText()}}}}}]""");

    private static List<string> Ids(IEnumerable<JsonElement> records) => [.. records.Select(r => r.GetProperty("log_id").GetString()!)];

    private static List<string> Ids(IEnumerable<JsonObject> records) => [.. records.Select(r => (string)r["log_id"]!)];

    private static JsonElement LastState(ConnectorRun run) => run.States("logs").Last().GetProperty("stream").GetProperty("stream_state");

    /// <summary>A sync without state: every retained event, in log_id order.</summary>
    private async Task<ConnectorRun> ReadEverythingAsync(FakeTenant.FakeTenant tenant)
    {
        var run = await ReadAsync(tenant);
        run.AssertComplete("logs");
        Assert.Equal(Ids(tenant.Logs), Ids(run.Records("logs")));
        return run;
    }

    private static void AssertNoRejectedRequest(FakeTenant.FakeTenant tenant)
    {
        var rejected = tenant.Server.LogEntries.Where(e => e.ResponseMessage?.StatusCode is int code && code >= 400).Select(e => e.RequestMessage?.Url).ToList();
        Assert.True(rejected.Count == 0, "rejected: " + string.Join(", ", rejected));
    }

    private static int CheckpointRequests(FakeTenant.FakeTenant tenant) =>
        tenant.Server.LogEntries.Count(e => e.RequestMessage?.Path == "/api/v2/logs" && e.RequestMessage.RawQuery?.Contains("from=", StringComparison.Ordinal) == true);

    [Fact]
    public async Task Read_2500EventsAcrossManyPages_DeliversEveryRetainedEventOnceInIdOrder()
    {
        using var tenant = Start(2_500);

        // Far past the search's 1000-result cap: checkpoint paging has none.
        var run = await ReadEverythingAsync(tenant);

        Assert.Equal(2_500, run.Records("logs").Count());
        Assert.InRange(CheckpointRequests(tenant), 25, 26);
        Assert.Equal(tenant.LogIds[^1], LastState(run).GetProperty("log_id").GetString());
        Assert.True(run.States("logs").Count() >= 25, "a checkpoint after every page");
        AssertNoRejectedRequest(tenant);
    }

    [Fact]
    public async Task Read_Records_ArePassedThroughUnchangedAndFitTheSchema()
    {
        using var tenant = Start(400);

        var run = await ReadAsync(tenant);

        run.AssertComplete("logs");
        var records = run.Records("logs").ToList();
        // Byte for byte as the tenant serves them, in log_id order.
        Assert.Equal(tenant.Logs.Select(l => l.ToJsonString()), records.Select(r => JsonNode.Parse(r.GetRawText())!.ToJsonString()));
        var schema = JsonSchema.FromText(Encoding.UTF8.GetString(EmbeddedSchemas.Read("logs")));
        Assert.All(records, r => Assert.True(schema.Evaluate(r, new EvaluationOptions { RequireFormatValidation = true }).IsValid, r.GetRawText()));
        // Unknown fields kept; scope as Auth0 sends it, a string or an array of strings.
        Assert.Contains(records, r => r.TryGetProperty("$event_schema", out _));
        Assert.Contains(records, r => r.GetProperty("scope").ValueKind == JsonValueKind.String);
        Assert.Contains(records, r => r.GetProperty("scope").ValueKind == JsonValueKind.Array);
    }

    [Fact]
    public async Task Incremental_ThreeSyncsAfterTheFirst_DeliverExactlyTheNewEventsAndWarnAfterAnAgedOutPosition()
    {
        using var tenant = Start(250);
        var first = await ReadEverythingAsync(tenant);

        // New events: exactly those, none twice.
        var added = tenant.AppendLogs(130);
        var second = await ReadAsync(tenant, state: StateFile(LastState(first)));
        second.AssertComplete("logs");
        Assert.Equal(Ids(added), Ids(second.Records("logs")));
        Assert.Empty(second.Warnings);

        // Nothing new: nothing delivered, the position kept.
        var third = await ReadAsync(tenant, state: StateFile(LastState(second)));
        third.AssertComplete("logs");
        Assert.Empty(third.Records("logs"));
        Assert.Equal(LastState(second).GetRawText(), LastState(third).GetRawText());

        // 40 days on, past the 30-day retention: every earlier event aged out, the saved one too.
        var later = tenant.AppendLogs(180, after: TimeSpan.FromDays(40));
        Assert.Equal(Ids(later), tenant.LogIds);
        var fourth = await ReadAsync(tenant, state: StateFile(LastState(third)));
        fourth.AssertComplete("logs");
        Assert.Equal(Ids(later), Ids(fourth.Records("logs")));
        var warning = Assert.Single(fourth.Warnings);
        Assert.Contains("may have been missed", warning, StringComparison.Ordinal);
        Assert.Contains(LastState(third).GetProperty("date").GetString()!, warning, StringComparison.Ordinal);
        Assert.Contains((string)later[0]["date"]!, warning, StringComparison.Ordinal);
        Assert.Equal(tenant.LogIds[^1], LastState(fourth).GetProperty("log_id").GetString());
    }

    [Fact]
    public async Task Incremental_InfoMessages_NameTheOldestEventAsDeliveredThenTheSavedPosition()
    {
        using var tenant = Start(150);
        var first = await ReadEverythingAsync(tenant);
        var second = await ReadAsync(tenant, state: StateFile(LastState(first)));

        static List<string> Infos(ConnectorRun run) =>
            [.. run.OfType("LOG").Select(l => l.GetProperty("log")).Where(l => l.GetProperty("level").GetString() == "INFO").Select(l => l.GetProperty("message").GetString()!)];
        // The first event is delivered: the message must not read as if the walk started after it.
        var start = Assert.Single(Infos(first), m => m.Contains(tenant.LogIds[0], StringComparison.Ordinal));
        Assert.StartsWith($"logs: starting at the oldest retained event (log_id {tenant.LogIds[0]}, dated {(string)tenant.Logs[0]["date"]!})", start, StringComparison.Ordinal);
        Assert.Contains($"logs: reading the events after the saved log_id {tenant.LogIds[^1]} (incremental)", Infos(second));
        Assert.Equal(tenant.LogIds[0], Ids(first.Records("logs"))[0]);
    }

    [Fact]
    public async Task Incremental_PositionAgedOutWhileLaterEventsRemain_ContinuesAfterItWithoutDuplicates()
    {
        using var tenant = Start(300);
        var first = await ReadEverythingAsync(tenant);
        var added = tenant.AppendLogs(120);
        // Retention passes the saved event, not the ones after it.
        var saved = LastState(first);
        tenant.ExpireLogsBefore(DateTimeOffset.Parse(saved.GetProperty("date").GetString()!, CultureInfo.InvariantCulture).AddMilliseconds(1));

        var second = await ReadAsync(tenant, state: StateFile(saved));

        second.AssertComplete("logs");
        Assert.Equal(Ids(added), Ids(second.Records("logs")));
    }

    [Fact]
    public async Task FirstSync_WithStartDate_StartsAtTheFirstEventOfThatDate()
    {
        using var tenant = Start(600);
        var start = DateTimeOffset.Parse((string)tenant.Logs[350]["date"]!, CultureInfo.InvariantCulture);

        var run = await ReadAsync(tenant, extra: $$""", "start_date": "{{start:yyyy-MM-ddTHH:mm:ss.fffZ}}" """);

        run.AssertComplete("logs");
        var dates = tenant.Logs.ToDictionary(l => (string)l["log_id"]!, l => DateTimeOffset.Parse((string)l["date"]!, CultureInfo.InvariantCulture));
        var delivered = Ids(run.Records("logs"));
        // Every event from start_date on; before it, only events whose date lags their id's place (by seconds).
        Assert.Empty(tenant.LogIds.Where(id => dates[id] >= start).Except(delivered));
        Assert.All(delivered, id => Assert.True(dates[id] > start.AddSeconds(-5), $"{id} ({dates[id]:O}) is before start_date"));
        Assert.Equal(tenant.LogIds.SkipWhile(id => id != delivered[0]), delivered);
    }

    [Fact]
    public async Task Read_OfEventsDatedAfterTheSyncBegan_StopsAfterTheirPageAndTheNextSyncReadsOn()
    {
        using var tenant = Start(700);
        var began = DateTimeOffset.Parse((string)tenant.Logs[250]["date"]!, CultureInfo.InvariantCulture);
        string[] args = ["read", "--config", _files.ClientCredentialsConfig(tenant), "--catalog", Catalog("incremental")];

        var run = await ConnectorRun.InvokeAsync(args, time: new FakeTimeProvider(began));

        run.AssertComplete("logs");
        // The oldest event, then pages of 100: the third page (events 201-300) is the first reaching past the start.
        var delivered = Ids(run.Records("logs"));
        Assert.Equal(tenant.LogIds.Take(301), delivered);
        var next = await ConnectorRun.InvokeAsync([.. args, "--state", StateFile(LastState(run))], time: new FakeTimeProvider(DateTimeOffset.UtcNow));
        next.AssertComplete("logs");
        Assert.Equal(tenant.LogIds.Skip(301), Ids(next.Records("logs")));
    }

    [Fact]
    public async Task FullRefresh_WithAState_ReadsEveryRetainedEventFromTheOldest()
    {
        using var tenant = Start(320);
        var first = await ReadEverythingAsync(tenant);
        tenant.AppendLogs(40);

        var run = await ReadAsync(tenant, mode: "full_refresh", state: StateFile(LastState(first)));

        run.AssertComplete("logs");
        Assert.Equal(Ids(tenant.Logs), Ids(run.Records("logs")));
    }

    [Fact]
    public async Task Resume_FromTheStateAfterAnyPage_DeliversTheRestWithNoDuplicatesOrLoss()
    {
        using var tenant = Start(1_050);
        var run = await ReadEverythingAsync(tenant);

        // A sync killed right after any STATE line restarts from that state.
        var lines = run.Lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var stateLines = lines.Select((m, i) => (m, i)).Where(x => x.m.GetProperty("type").GetString() == "STATE").Select(x => x.i).ToList();
        Assert.True(stateLines.Count > 10);
        foreach (var at in new[] { stateLines[0], stateLines[1], stateLines[stateLines.Count / 2], stateLines[^2] })
        {
            var before = Ids(lines.Take(at).Where(m => m.GetProperty("type").GetString() == "RECORD").Select(m => m.GetProperty("record").GetProperty("data")));
            var resumed = await ReadAsync(tenant, state: StateFile(lines[at].GetProperty("state").GetProperty("stream").GetProperty("stream_state")));
            resumed.AssertComplete("logs");
            var after = Ids(resumed.Records("logs"));
            Assert.Empty(before.Intersect(after));
            Assert.Equal(tenant.LogIds, before.Concat(after));
        }
    }

    [Fact]
    public async Task CheckAndRead_WithoutReadLogs_PassAndFailOnlyTheLogsStreamNamingTheScope()
    {
        using var tenant = SmallTenant.Start("logs-s3cr3t-9f8e7d6c", o => o.GrantedScopes = [.. FakeTenant.FakeTenant.AllScopes.Where(s => s != "read:logs")]);
        var config = _files.ClientCredentialsConfig(tenant);

        var check = await ConnectorRun.InvokeAsync(["check", "--config", config]);
        var read = await ConnectorRun.InvokeAsync(["read", "--config", config]);

        Assert.Equal("SUCCEEDED", check.ConnectionStatus.GetProperty("status").GetString());
        Assert.Contains("read:logs (stream logs)", check.ConnectionStatus.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, read.ExitCode);
        Assert.Equal(["STARTED", "INCOMPLETE"], read.Statuses("logs"));
        Assert.Empty(read.Records("logs"));
        var error = Assert.Single(read.Errors);
        Assert.Equal("config_error", error.GetProperty("failure_type").GetString());
        Assert.Equal("logs", error.GetProperty("stream_descriptor").GetProperty("name").GetString());
        Assert.Contains("read:logs", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.All(TenantFiles.AllStreams.Where(s => s != "logs"), stream => Assert.Equal("COMPLETE", read.Statuses(stream).Last()));
    }

    [Theory]
    [InlineData("""{"log_id": "9002023abc"}""", "state.logs.log_id")]
    [InlineData("""{"log_id": 90020230602}""", "state.logs.log_id")]
    [InlineData("""{"log_id": "90020230602105805996607000000000000001223372045029306413", "date": "yesterday"}""", "state.logs.date")]
    [InlineData("""["90020230602105805996607000000000000001223372045029306413"]""", "state.logs")]
    [InlineData("""{"log_id": "90020230602105805996607000000000000001223372045029306413", "date": 5}""", "state.logs.date")]
    public async Task Read_WithAMalformedState_IsAConfigErrorNamingTheField(string state, string field)
    {
        using var tenant = Start(20);
        using var document = JsonDocument.Parse(state);

        var run = await ReadAsync(tenant, state: StateFile(document.RootElement));

        Assert.NotEqual(0, run.ExitCode);
        Assert.Empty(run.Records("logs"));
        var error = Assert.Single(run.Errors);
        Assert.Equal("config_error", error.GetProperty("failure_type").GetString());
        Assert.Contains($"'{field}'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("remove the logs state", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    /// <summary>A log id after the tenant's newest event (a damaged state, or another tenant's): nothing read, a WARN, the state kept, exit 0.</summary>
    [Fact]
    public async Task Read_StateAfterTheNewestEvent_ReadsNothingWarnsAndKeepsTheState()
    {
        using var tenant = Start(40);
        var beyond = new string('9', tenant.LogIds[^1].Length);
        using var document = JsonDocument.Parse($$"""{"log_id": "{{beyond}}", "date": "3021-01-01T00:00:00.000Z"}""");

        var run = await ReadAsync(tenant, state: StateFile(document.RootElement));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses("logs"));
        Assert.Empty(run.Records("logs"));
        Assert.Equal(document.RootElement.GetRawText().Replace(" ", string.Empty, StringComparison.Ordinal), Assert.Single(run.States("logs")).GetProperty("stream").GetProperty("stream_state").GetRawText());
        StreamChecks.AssertFutureStateWarning(run, "logs", beyond);
        Assert.Contains(tenant.LogIds[^1], run.Warnings.Single(), StringComparison.Ordinal);
        // Looked up (404), then the oldest and the newest event: no walk after it.
        Assert.DoesNotContain(StreamChecks.QueriesTo(tenant, "/api/v2/logs"), q => q.Contains("from=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Read_ServerAnsweringOldEventsAgain_StopsWithAnErrorInsteadOfLooping()
    {
        using var tenant = Start(300);
        var stale = new JsonArray([.. tenant.Logs.Take(3).Select(l => l.DeepClone())]).ToJsonString();
        // A broken proxy: every checkpoint page after the first repeats the three oldest events.
        tenant.Server.Given(WireMock.RequestBuilders.Request.Create().WithPath("/api/v2/logs").WithParam("from", new WireMock.Matchers.RegexMatcher("^(?!" + tenant.LogIds[0] + "$)")).UsingGet())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(stale));

        var run = await ReadAsync(tenant);

        Assert.Equal(["STARTED", "INCOMPLETE"], run.Statuses("logs").Where(s => s != "RUNNING"));
        Assert.Contains("no event after log_id", Assert.Single(run.Errors).GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(tenant.LogIds.Take(101), Ids(run.Records("logs")));
    }

    [Fact]
    public async Task FakeTenant_Logs_AnswerAsDocumented_CheckpointUnboundedSearchCapped()
    {
        using var tenant = Start(1_200);
        using var http = new HttpClient { BaseAddress = new Uri(tenant.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tenant.IssueToken());
        var ids = tenant.LogIds;

        using var page = await http.GetAsync($"/api/v2/logs?from={ids[1_100]}&take=100&q=type:s");
        var rows = JsonNode.Parse(await page.Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal(ids.Skip(1_101).Take(100), rows.Select(r => (string)r!["log_id"]!));
        Assert.Equal($"<{tenant.BaseUrl}/api/v2/logs?from={ids[^1]}&take=100>; rel=\"next\"", page.Headers.GetValues("Link").Single());
        Assert.All(ids, id => Assert.Equal(56, id.Length));
        // Dates are not in log_id order everywhere (an event's date precedes its ingestion by up to seconds).
        var dates = tenant.Logs.Select(l => (string)l["date"]!).ToList();
        Assert.Contains(dates.Zip(dates.Skip(1)), pair => string.CompareOrdinal(pair.First, pair.Second) > 0);

        using var search = await http.GetAsync("/api/v2/logs?sort=date:1&per_page=5&page=0&include_totals=true");
        var envelope = JsonNode.Parse(await search.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal(["length", "limit", "logs", "start", "total"], envelope.Select(p => p.Key).Order(StringComparer.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync($"/api/v2/logs?from={ids[0]}&take=101")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/v2/logs?per_page=101&page=0")).StatusCode);
        var capped = await http.GetAsync("/api/v2/logs?per_page=100&page=10");
        Assert.Equal(HttpStatusCode.BadRequest, capped.StatusCode);
        Assert.Contains("invalid_paging", await capped.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/api/v2/logs/{ids[5]}")).StatusCode);
        tenant.ExpireLogsBefore(DateTimeOffset.Parse((string)tenant.Logs[10]["date"]!, CultureInfo.InvariantCulture).AddSeconds(5));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/v2/logs/{ids[5]}")).StatusCode);
        // An aged-out from: the oldest retained events after it, silently.
        var oldest = JsonNode.Parse(await http.GetStringAsync($"/api/v2/logs?from={ids[5]}&take=3"))!.AsArray();
        Assert.Equal(tenant.LogIds.Take(3), oldest.Select(r => (string)r!["log_id"]!));
        Assert.True(string.CompareOrdinal(tenant.LogIds[0], ids[8]) > 0);
    }

    public void Dispose() => _files.Dispose();
}
