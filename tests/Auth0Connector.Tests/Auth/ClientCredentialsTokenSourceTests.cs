using System.Text.Json;
using System.Text.Json.Nodes;
using Auth0Connector.Auth;
using Auth0Connector.Configuration;
using Auth0Connector.FakeTenant;
using Auth0Connector.Foundation;
using Microsoft.Extensions.Time.Testing;

namespace Auth0Connector.Tests.Auth;

/// <summary>
/// <see cref="ClientCredentialsTokenSource"/> against the fake tenant, both on one fake clock: caching, renewal ahead
/// of expiry, one fetch for many waiters, renewal after a 401.
/// </summary>
public sealed class ClientCredentialsTokenSourceTests : IDisposable
{
    private const string Secret = "tok-src-s3cr3t-42ab";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly HttpClient _http = new();
    private readonly Redactor _redactor = new();
    private readonly FakeTenant.FakeTenant _tenant;

    public ClientCredentialsTokenSourceTests()
    {
        _tenant = FakeTenant.FakeTenant.Start(new FakeTenantOptions
        {
            Users = 5,
            Organizations = 0,
            Clients = 1,
            ClientSecret = Secret,
            Time = _time,
        });
    }

    private ClientCredentialsTokenSource Create(string? clientSecret = null, string? audience = null, HttpClient? http = null)
    {
        var credentials = new JsonObject
        {
            ["auth_type"] = "oauth2_confidential_application",
            ["client_id"] = _tenant.Options.ClientId,
            ["client_secret"] = clientSecret ?? Secret,
        };
        if (audience is not null)
        {
            credentials["audience"] = audience;
        }

        using var document = JsonDocument.Parse(new JsonObject { ["base_url"] = _tenant.BaseUrl, ["credentials"] = credentials }.ToJsonString());
        return new ClientCredentialsTokenSource(http ?? _http, ConnectorConfig.Parse(document.RootElement), _time, _redactor);
    }

    private static TimeSpan RenewAfterDefaultLifetime => ClientCredentialsTokenSource.RenewalPoint(new FakeTenantOptions().TokenLifetime);

    [Fact]
    public async Task The_token_is_cached()
    {
        using var source = Create();

        var first = await source.GetTokenAsync(CancellationToken.None);
        var second = await source.GetTokenAsync(CancellationToken.None);

        Assert.Equal(first, second);
        Assert.Equal(1, _tenant.TokenRequestCount);
        Assert.Equal(FakeTenant.FakeTenant.AllScopes.Order(StringComparer.Ordinal), source.GrantedScopes!.Order(StringComparer.Ordinal));
        // The issued token is registered with the redactor before anyone can print it.
        Assert.Equal("Bearer ***.", _redactor.Redact($"Bearer {first}."));
    }

    [Fact]
    public async Task A_new_token_is_fetched_once_the_clock_passes_the_renewal_point()
    {
        using var source = Create();
        var first = await source.GetTokenAsync(CancellationToken.None);

        _time.Advance(RenewAfterDefaultLifetime - TimeSpan.FromSeconds(1));
        Assert.Equal(first, await source.GetTokenAsync(CancellationToken.None));
        Assert.Equal(1, _tenant.TokenRequestCount);

        _time.Advance(TimeSpan.FromSeconds(2));
        var renewed = await source.GetTokenAsync(CancellationToken.None);

        Assert.NotEqual(first, renewed);
        Assert.Equal(2, _tenant.TokenRequestCount);
        Assert.Equal(renewed, await source.GetTokenAsync(CancellationToken.None));
        Assert.Equal(2, _tenant.TokenRequestCount);
    }

    [Fact]
    public async Task Renewal_happens_before_the_tenant_considers_the_token_expired()
    {
        using var source = Create();
        var first = await source.GetTokenAsync(CancellationToken.None);

        // Just before expiry the tenant still accepts the old token, yet the source has already moved on.
        _time.Advance(_tenant.Options.TokenLifetime - TimeSpan.FromSeconds(1));
        var renewed = await source.GetTokenAsync(CancellationToken.None);

        Assert.NotEqual(first, renewed);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{_tenant.BaseUrl}/api/v2/clients");
        request.Headers.Authorization = new("Bearer", renewed);
        using var response = await _http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"the renewed token was refused: {(int)response.StatusCode}");
    }

    [Fact]
    public async Task Fifty_concurrent_callers_on_a_cold_cache_cause_one_token_request()
    {
        using var gate = new GatedHandler();
        using var http = new HttpClient(gate);
        using var source = Create(http: http);

        // The token request is held in flight until all 50 callers are waiting for it.
        gate.Hold();
        var callers = Enumerable.Range(0, 50).Select(_ => Task.Run(() => source.GetTokenAsync(CancellationToken.None).AsTask())).ToArray();
        await gate.WaitForRequestsAsync(1);
        Assert.All(callers, c => Assert.False(c.IsCompleted));
        gate.Release();
        var tokens = await Task.WhenAll(callers);

        Assert.Single(tokens.Distinct(StringComparer.Ordinal));
        Assert.Equal(1, gate.Requests);
        Assert.Equal(1, _tenant.TokenRequestCount);
    }

    [Fact]
    public async Task Fifty_concurrent_callers_after_the_renewal_point_cause_one_more_token_request()
    {
        using var gate = new GatedHandler();
        using var http = new HttpClient(gate);
        using var source = Create(http: http);
        var first = await source.GetTokenAsync(CancellationToken.None);
        _time.Advance(RenewAfterDefaultLifetime + TimeSpan.FromSeconds(1));

        gate.Hold();
        var callers = Enumerable.Range(0, 50).Select(_ => Task.Run(() => source.GetTokenAsync(CancellationToken.None).AsTask())).ToArray();
        await gate.WaitForRequestsAsync(2);
        gate.Release();
        var tokens = await Task.WhenAll(callers);

        var renewed = Assert.Single(tokens.Distinct(StringComparer.Ordinal));
        Assert.NotEqual(first, renewed);
        Assert.Equal(2, gate.Requests);
        Assert.Equal(2, _tenant.TokenRequestCount);
    }

    [Fact]
    public async Task Invalidating_the_current_token_fetches_a_new_one()
    {
        using var source = Create();
        var first = await source.GetTokenAsync(CancellationToken.None);

        Assert.True(await source.InvalidateAsync(first, CancellationToken.None));

        Assert.Equal(2, _tenant.TokenRequestCount);
        var renewed = await source.GetTokenAsync(CancellationToken.None);
        Assert.NotEqual(first, renewed);
        Assert.Equal(2, _tenant.TokenRequestCount);
    }

    [Fact]
    public async Task Invalidating_a_stale_token_keeps_the_newer_one()
    {
        using var source = Create();
        var first = await source.GetTokenAsync(CancellationToken.None);
        await source.InvalidateAsync(first, CancellationToken.None);
        var renewed = await source.GetTokenAsync(CancellationToken.None);

        // A request that went out with the old token and came back 401 after someone renewed: just retry.
        Assert.True(await source.InvalidateAsync(first, CancellationToken.None));

        Assert.Equal(2, _tenant.TokenRequestCount);
        Assert.Equal(renewed, await source.GetTokenAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Concurrent_401s_for_the_same_token_renew_it_once()
    {
        using var source = Create();
        var first = await source.GetTokenAsync(CancellationToken.None);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => source.InvalidateAsync(first, CancellationToken.None).AsTask()));

        Assert.All(results, Assert.True);
        Assert.Equal(2, _tenant.TokenRequestCount);
    }

    [Fact]
    public async Task A_wrong_secret_throws_an_auth_error_naming_the_setting_but_not_the_secret()
    {
        const string WrongSecret = "wrong-tok-src-s3cr3t";
        using var source = Create(clientSecret: WrongSecret);

        var error = await Assert.ThrowsAsync<Auth0AuthException>(() => source.GetTokenAsync(CancellationToken.None).AsTask());

        Assert.Contains("credentials.client_secret", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongSecret, error.Message, StringComparison.Ordinal);
        Assert.Equal(1, _tenant.TokenAttemptCount); // not retried
        Assert.Equal(0, _tenant.TokenRequestCount);
        Assert.Null(source.GrantedScopes);
    }

    [Fact]
    public async Task Another_audience_throws_an_auth_error_about_the_authorization()
    {
        using var source = Create(audience: "https://api.example.com/orders/");

        var error = await Assert.ThrowsAsync<Auth0AuthException>(() => source.GetTokenAsync(CancellationToken.None).AsTask());

        Assert.Contains("not authorized", error.Message, StringComparison.Ordinal);
        Assert.Contains("https://api.example.com/orders/", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(86_400, 86_400 - 600)] // 24 h: margin capped at 10 minutes
    [InlineData(3_600, 3_240)]         // 1 h: 10% margin
    [InlineData(600, 540)]             // 10 min: 10% margin
    [InlineData(60, 50)]               // 10% would be 6 s: at least 10 s
    [InlineData(20, 10)]
    [InlineData(10, 5)]                // no room for the margin: half the lifetime
    [InlineData(2, 1)]
    public void RenewalPoint_keeps_a_margin(int lifetimeSeconds, double expectedSeconds)
    {
        var renewAt = ClientCredentialsTokenSource.RenewalPoint(TimeSpan.FromSeconds(lifetimeSeconds));

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), renewAt);
        Assert.InRange(renewAt, TimeSpan.Zero + TimeSpan.FromTicks(1), TimeSpan.FromSeconds(lifetimeSeconds) - TimeSpan.FromTicks(1));
    }

    /// <summary>Counts requests and, while held, keeps them from reaching the tenant.</summary>
    private sealed class GatedHandler() : DelegatingHandler(new SocketsHttpHandler())
    {
        private volatile TaskCompletionSource _open = Completed();
        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        public void Hold() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _open.TrySetResult();

        /// <summary>Polls (briefly) until <paramref name="count"/> requests arrived, then gives the rest of the callers a moment to queue.</summary>
        public async Task WaitForRequestsAsync(int count)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            while (Requests < count)
            {
                await Task.Delay(5, timeout.Token);
            }

            await Task.Delay(50, timeout.Token);
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            await _open.Task.WaitAsync(cancellationToken);
            return await base.SendAsync(request, cancellationToken);
        }

        private static TaskCompletionSource Completed()
        {
            var done = new TaskCompletionSource();
            done.SetResult();
            return done;
        }
    }

    public void Dispose()
    {
        _tenant.Dispose();
        _http.Dispose();
    }
}
