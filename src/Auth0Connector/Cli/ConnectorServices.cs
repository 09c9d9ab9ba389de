using Auth0Connector.Auth;
using Auth0Connector.Configuration;
using Auth0Connector.Foundation;
using Auth0Connector.Http;
using Auth0Connector.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace Auth0Connector.Cli;

/// <summary>
/// Composition root of the send path: config → token source → typed HttpClient with one
/// resilience pipeline, the rate gate, the auth handler, body buffering and debug logging.
/// </summary>
internal static class ConnectorServices
{
    /// <summary>HttpClient name for downloading users-export files.</summary>
    public const string ExportClientName = "auth0-export";

    public static ServiceProvider Build(ConnectorConfig config, TimeProvider time, DiagnosticLog log, Redactor redactor, Action<IServiceCollection>? customize = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(config);
        services.AddSingleton(time);
        services.AddSingleton(log);
        services.AddSingleton(redactor);
        var counter = new RequestCounter();
        services.AddSingleton(counter);

        // Handlers run in the order added: the resilience pipeline is outermost, so every attempt
        // goes through authentication, body buffering and logging again. The attempt timeout sits
        // after the rate gate and authentication: only network time counts against it.
        var token = services.AddHttpClient(ClientCredentialsTokenSource.HttpClientName, http => Configure(http));
        token.AddHttpMessageHandler(() => new ResilienceHandler(RetryPolicy.Build(config.MaxRetries, time, log, budget: RetryPolicy.TokenBudget)));
        var tokenAttempt = config.RequestTimeout < RetryPolicy.TokenAttemptTimeout ? config.RequestTimeout : RetryPolicy.TokenAttemptTimeout;
        token.AddHttpMessageHandler(() => new AttemptTimeoutHandler(time, tokenAttempt))
            .AddHttpMessageHandler(() => new ContentBufferingHandler(time, config.StallTimeout));
        EndOnTheWire(token, () => new RequestLoggingHandler(log), counter, () => OriginGuardHandler.ForOrigin(config.BaseUri));

        services.AddSingleton<ITokenSource>(provider => config.Credentials switch
        {
            ClientCredentials => new ClientCredentialsTokenSource(
                provider.GetRequiredService<IHttpClientFactory>().CreateClient(ClientCredentialsTokenSource.HttpClientName), config, time, redactor),
            AccessToken token => new StaticTokenSource(token.Token),
            _ => throw new InvalidOperationException("Unknown credentials type."),
        });

        var throttle = new ThrottleMonitor(time);
        services.AddSingleton(throttle);
        services.AddSingleton(new RateGate(time, config.RequestsPerSecond, throttle, log));
        // max_concurrency bounds the requests in flight of the whole process, whatever reads side by side.
        var inFlight = new SemaphoreSlim(config.MaxConcurrency, config.MaxConcurrency);
        services.AddTransient(provider => new RateGateHandler(provider.GetRequiredService<RateGate>(), inFlight));
        services.AddTransient(provider => new AuthenticationHandler(provider.GetRequiredService<ITokenSource>()));
        var api = services.AddHttpClient<Auth0ApiClient>(http =>
        {
            Configure(http);
            http.BaseAddress = config.ApiBaseUri;
        });
        api.AddHttpMessageHandler(() => new ResilienceHandler(RetryPolicy.Build(config.MaxRetries, time, log, throttle, gated: true)));
        api.AddHttpMessageHandler<RateGateHandler>()
            .AddHttpMessageHandler<AuthenticationHandler>()
            .AddHttpMessageHandler(() => new AttemptTimeoutHandler(time, config.RequestTimeout))
            .AddHttpMessageHandler(() => new ContentBufferingHandler(time, config.StallTimeout));
        EndOnTheWire(api, () => new RequestLoggingHandler(log), counter, () => OriginGuardHandler.ForOrigin(config.BaseUri));

        // Export files live at pre-signed URLs that refuse a second auth mechanism: no auth handler,
        // and no body buffering either, since they are streamed (one user at a time) to stdout.
        var export = services.AddHttpClient(ExportClientName, http => Configure(http));
        export.AddHttpMessageHandler(() => new ResilienceHandler(RetryPolicy.Build(config.MaxRetries, time, log)));
        export.AddHttpMessageHandler(() => new AttemptTimeoutHandler(time, config.RequestTimeout));
        EndOnTheWire(export, () => new RequestLoggingHandler(log, logQuery: false), counter, OriginGuardHandler.ForDownloads);

        customize?.Invoke(services);
        return services.BuildServiceProvider();
    }

    /// <summary>
    /// How every client ends, the same for all three: request logging, the request count, the
    /// origin guard (the last look at what goes on the wire), then a socket handler that follows no redirect.
    /// </summary>
    private static void EndOnTheWire(IHttpClientBuilder client, Func<DelegatingHandler> logging, RequestCounter counter, Func<DelegatingHandler> guard) =>
        client.AddHttpMessageHandler(logging)
            .AddHttpMessageHandler(() => new RequestCountingHandler(counter))
            .AddHttpMessageHandler(guard)
            .ConfigurePrimaryHttpMessageHandler(NoRedirects);

    /// <summary>No client follows redirects: a 3xx would carry credentials or data elsewhere (see <see cref="OriginGuardHandler"/>).</summary>
    private static HttpMessageHandler NoRedirects() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false };

    private static void Configure(HttpClient http)
    {
        // The pipeline bounds each attempt; HttpClient's own 100 s would cut retries short.
        http.Timeout = Timeout.InfiniteTimeSpan;
        http.DefaultRequestHeaders.UserAgent.ParseAdd($"auth0-connector/{ConnectorInfo.Version}");
        http.DefaultRequestHeaders.Accept.ParseAdd("application/json");
    }
}
