using System.Text.Json;
using Auth0Connector.Cli;
using Auth0Connector.Configuration;
using Auth0Connector.FakeTenant;
using Auth0Connector.Foundation;
using Auth0Connector.Http;
using Auth0Connector.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Auth0Connector.Tests.Http;

/// <summary>The one HTTP send path under faults, on a fake clock: no test waits real seconds.</summary>
public class RetryPipelineTests : IDisposable
{
    private const string ErrorBody = """{"statusCode":429,"error":"Too Many Requests","message":"Global limit has been reached","errorCode":"too_many_requests"}""";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly FakeTenant.FakeTenant _tenant;
    private readonly TempFiles _files = new();

    public RetryPipelineTests()
    {
        _tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions { Users = 30, Organizations = 1, MembersPerOrganization = 3, Clients = 3, Time = _time });
    }

    private ServiceProvider Services(int maxRetries = 6, Action<IServiceCollection>? customize = null, string extraConfig = "")
    {
        using var document = JsonDocument.Parse($$"""{"base_url":"{{_tenant.BaseUrl}}","credentials":{"auth_type":"oauth2_confidential_application","client_id":"{{_tenant.Options.ClientId}}","client_secret":"{{_tenant.Options.ClientSecret}}"},"max_retries":{{maxRetries}}{{extraConfig}}}""");
        var redactor = new Redactor();
        return ConnectorServices.Build(ConnectorConfig.Parse(document.RootElement), _time, new DiagnosticLog(TextWriter.Null, false, redactor), redactor, customize);
    }

    private int ClientsRequests => _tenant.Server.LogEntries.Count(e => e.RequestMessage?.Path == "/api/v2/clients");

    /// <summary>Answers the next requests to /api/v2/clients from <paramref name="responses"/>, then falls through to the tenant.</summary>
    private void Script(params Func<IResponseBuilder>[] responses)
    {
        for (var i = 0; i < responses.Length; i++)
        {
            var mapping = _tenant.Server.Given(Request.Create().WithPath("/api/v2/clients").UsingGet()).InScenario("faults");
            if (i > 0)
            {
                mapping = mapping.WhenStateIs($"s{i}");
            }

            mapping.WillSetStateTo($"s{i + 1}").RespondWith(responses[i]());
        }
    }

    private IResponseBuilder TooManyRequests(TimeSpan resetIn) => Response.Create().WithStatusCode(429).WithBody(ErrorBody)
        .WithHeader("Content-Type", "application/json")
        .WithHeader("x-ratelimit-limit", "50").WithHeader("x-ratelimit-remaining", "0")
        .WithHeader("x-ratelimit-reset", (_time.GetUtcNow() + resetIn).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task A_429_429_200_sequence_waits_until_the_reset_header_each_time()
    {
        await using var services = Services();
        var api = services.GetRequiredService<Auth0ApiClient>();
        var start = _time.GetUtcNow();
        Script(() => TooManyRequests(TimeSpan.FromSeconds(10)), () => TooManyRequests(TimeSpan.FromSeconds(30)));

        var request = api.GetJsonAsync("clients?page=0&per_page=10&include_totals=true", CancellationToken.None);
        var sentAt = await StepUntilDoneAsync(request);

        using var page = await request;
        Assert.Equal(3, sentAt.Count);
        Assert.InRange(sentAt[1] - start, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(14));
        Assert.InRange(sentAt[2] - start, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(34));
        Assert.Equal(3, page.RootElement.GetProperty("clients").GetArrayLength());
    }

    [Fact]
    public async Task Retry_After_takes_precedence_over_the_reset_header()
    {
        await using var services = Services();
        var api = services.GetRequiredService<Auth0ApiClient>();
        Script(() => TooManyRequests(TimeSpan.FromSeconds(30)).WithHeader("Retry-After", "7"));

        var request = api.GetJsonAsync("clients", CancellationToken.None);
        var sentAt = await StepUntilDoneAsync(request);

        using var page = await request;
        Assert.Equal(2, sentAt.Count);
        Assert.InRange(sentAt[1] - sentAt[0], TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_408_request_timeout_is_retried()
    {
        await using var services = Services();
        var api = services.GetRequiredService<Auth0ApiClient>();
        Script(() => Response.Create().WithStatusCode(408).WithBody("""{"statusCode":408,"error":"Request Timeout","message":"Request timed out"}"""));

        var request = api.GetJsonAsync("clients?page=0&per_page=10&include_totals=true", CancellationToken.None);
        var sentAt = await StepUntilDoneAsync(request);

        using var page = await request;
        Assert.Equal(2, sentAt.Count);
        Assert.Equal(3, page.RootElement.GetProperty("clients").GetArrayLength());
    }

    [Fact]
    public async Task Retry_After_on_a_503_sets_the_wait()
    {
        await using var services = Services();
        var api = services.GetRequiredService<Auth0ApiClient>();
        Script(() => Response.Create().WithStatusCode(503).WithHeader("Retry-After", "7").WithBody("{}"));

        var request = api.GetJsonAsync("clients", CancellationToken.None);
        var sentAt = await StepUntilDoneAsync(request);

        using var page = await request;
        Assert.Equal(2, sentAt.Count);
        Assert.InRange(sentAt[1] - sentAt[0], TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(10));
    }

    /// <summary>
    /// Advances the fake clock in 100 ms steps until <paramref name="request"/> completes and
    /// returns the fake time at which each /api/v2/clients request was seen.
    /// </summary>
    private async Task<List<DateTimeOffset>> StepUntilDoneAsync(Task request)
    {
        var sentAt = new List<DateTimeOffset>();
        for (var step = 0; step < 2_000 && !request.IsCompleted; step++)
        {
            // Real time for the client to react before the fake clock moves on (a loaded machine is slow).
            await Task.Delay(5);
            while (sentAt.Count < ClientsRequests)
            {
                sentAt.Add(_time.GetUtcNow());
            }

            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        await Task.Delay(20);
        while (sentAt.Count < ClientsRequests)
        {
            sentAt.Add(_time.GetUtcNow());
        }

        Assert.True(request.IsCompleted, "the request did not finish");
        return sentAt;
    }

    [Fact]
    public async Task Bursts_of_5xx_dropped_connections_and_truncated_bodies_are_retried()
    {
        var truncator = new TruncateFirstBodyHandler();
        await using var services = Services(customize: s => s.AddHttpClient<Auth0ApiClient>().AddHttpMessageHandler(() => truncator));
        var api = services.GetRequiredService<Auth0ApiClient>();
        Script(
            () => Response.Create().WithStatusCode(503).WithBody("Service Unavailable"),
            () => Response.Create().WithStatusCode(502).WithBody("<html>bad gateway</html>"),
            () => Response.Create().WithFault(FaultType.EMPTY_RESPONSE),
            () => Response.Create().WithStatusCode(500).WithBody("{}"));

        var request = api.GetJsonAsync("clients?page=0&per_page=10&include_totals=true", CancellationToken.None);
        var sentAt = await StepUntilDoneAsync(request);
        using var page = await request;

        Assert.Equal(6, sentAt.Count); // 4 scripted failures, 1 truncated body, 1 success
        Assert.True(truncator.Truncated);
        Assert.Equal(3, page.RootElement.GetProperty("clients").GetArrayLength());
    }

    [Fact]
    public async Task Exhausted_retries_end_the_stream_as_a_transient_error_and_other_streams_still_run()
    {
        _tenant.Server.Given(Request.Create().WithPath("/api/v2/clients").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(503).WithBody("""{"statusCode":503,"error":"Service Unavailable","message":"down"}"""));
        var config = _files.ClientCredentialsConfig(_tenant, """, "max_retries": 3""");

        ConnectorRun run;
        await using (new ClockPump(_time, TimeSpan.FromSeconds(1)))
        {
            run = await ConnectorRun.InvokeAsync(["read", "--config", config, "--catalog", _files.Catalog(["clients", "organizations"])], _time);
        }

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(4, ClientsRequests);
        Assert.Equal(["STARTED", "INCOMPLETE"], run.Statuses("clients"));
        var error = Assert.Single(run.Errors);
        Assert.Equal("transient_error", error.GetProperty("failure_type").GetString());
        Assert.Equal("clients", error.GetProperty("stream_descriptor").GetProperty("name").GetString());
        Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], run.Statuses("organizations"));
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_system_error_naming_the_path_not_the_token()
    {
        _tenant.Server.Given(Request.Create().WithPath("/api/v2/organizations").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("<html>proxy login</html>"));

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.ClientCredentialsConfig(_tenant), "--catalog", _files.Catalog(["organizations"])], _time);

        Assert.Equal(1, run.ExitCode);
        var error = Assert.Single(run.Errors);
        Assert.Equal("system_error", error.GetProperty("failure_type").GetString());
        Assert.Contains("/api/v2/organizations", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        run.AssertNoSecrets(_tenant.Options.ClientSecret);
    }

    public void Dispose()
    {
        _tenant.Dispose();
        _files.Dispose();
    }

    /// <summary>Cuts the first successful body off mid-stream, as a connection reset would.</summary>
    [Fact]
    public async Task A_stalled_attempt_is_cut_after_the_attempt_timeout_and_retried()
    {
        var staller = new StallFirstClientsRequestHandler { Time = _time };
        await using var services = Services(customize: s => s.AddHttpClient<Auth0ApiClient>().AddHttpMessageHandler(() => staller));
        var api = services.GetRequiredService<Auth0ApiClient>();

        var request = api.GetJsonAsync("clients?page=0&per_page=10&include_totals=true", CancellationToken.None);
        var sentAt = await StepUntilDoneAsync(request);

        using var page = await request;
        Assert.Equal(2, staller.Calls);
        Assert.Single(sentAt); // the stalled attempt never reached the tenant
        var attemptTimeout = TimeSpan.FromSeconds(ConnectorConfig.DefaultRequestTimeoutSeconds);
        Assert.InRange(sentAt[0] - staller.FirstCallAt, attemptTimeout, attemptTimeout + TimeSpan.FromSeconds(10));
        Assert.Equal(3, page.RootElement.GetProperty("clients").GetArrayLength());
    }

    [Fact]
    public async Task RequestTimeoutSeconds_StalledAttempt_CutAfterTheConfiguredTime()
    {
        var staller = new StallFirstClientsRequestHandler { Time = _time };
        await using var services = Services(extraConfig: ""","request_timeout_seconds":15""", customize: s => s.AddHttpClient<Auth0ApiClient>().AddHttpMessageHandler(() => staller));
        var api = services.GetRequiredService<Auth0ApiClient>();

        var request = api.GetJsonAsync("clients?page=0&per_page=10&include_totals=true", CancellationToken.None);
        var sentAt = await StepUntilDoneAsync(request);

        using var page = await request;
        Assert.Equal(2, staller.Calls);
        Assert.InRange(sentAt[0] - staller.FirstCallAt, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(25));
    }

    [Fact]
    public async Task Waiting_at_the_rate_gate_does_not_count_against_the_attempt_timeout()
    {
        // requests_per_second 0.01: the second request waits 100 s for its slot, longer than an attempt may take.
        await using var services = Services(maxRetries: 0, extraConfig: ""","requests_per_second":0.01""");
        var api = services.GetRequiredService<Auth0ApiClient>();
        using (await api.GetJsonAsync("clients?page=0&per_page=10&include_totals=true", CancellationToken.None))
        {
        }

        var start = _time.GetUtcNow();
        var request = api.GetJsonAsync("clients?page=0&per_page=10&include_totals=true", CancellationToken.None);
        var sentAt = await StepUntilDoneAsync(request);

        using var page = await request; // no retries allowed: a timed-out attempt would throw here
        Assert.Equal(2, sentAt.Count);
        Assert.InRange(sentAt[1] - start, TimeSpan.FromSeconds(99), TimeSpan.FromSeconds(104));
    }

    /// <summary>The first request to /api/v2/clients never gets an answer (a stalled socket); later ones pass.</summary>
    private sealed class StallFirstClientsRequestHandler : DelegatingHandler
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public DateTimeOffset FirstCallAt { get; private set; }

        public TimeProvider Time { get; init; } = TimeProvider.System;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri?.AbsolutePath == "/api/v2/clients" && Interlocked.Increment(ref _calls) == 1)
            {
                FirstCallAt = Time.GetUtcNow();
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class TruncateFirstBodyHandler : DelegatingHandler
    {
        public bool Truncated { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (Truncated || !response.IsSuccessStatusCode || response.RequestMessage?.RequestUri?.AbsolutePath != "/api/v2/clients")
            {
                return response;
            }

            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (body.Length == 0)
            {
                response.Content = new ByteArrayContent(body); // the scripted empty response, left as it is
                return response;
            }

            Truncated = true;
            response.Content = new StreamContent(new BrokenStream(body[..(body.Length / 2)]));
            return response;
        }
    }

    private sealed class BrokenStream(byte[] prefix) : MemoryStream(prefix)
    {
        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = base.Read(buffer, offset, count);
            return read > 0 ? read : throw new IOException("Connection reset by peer");
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await base.ReadAsync(buffer, cancellationToken);
            return read > 0 ? read : throw new IOException("Connection reset by peer");
        }
    }
}
