using Polly;

namespace Auth0Connector.Http;

/// <summary>
/// Runs every request of an HttpClient through the Polly v8 pipeline (<see cref="RetryPolicy"/>):
/// the outermost handler, so each retry goes through the rate gate, authentication and body
/// buffering again. (Polly.Core directly rather than Microsoft.Extensions.Http.Resilience: the
/// same pipeline without its telemetry dependencies, which cost the native binary start-up time.)
/// </summary>
internal sealed class ResilienceHandler(ResiliencePipeline<HttpResponseMessage> pipeline) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        await pipeline.ExecuteAsync(static async (state, token) => await state.Handler.SendCoreAsync(state.Request, token), (Handler: this, Request: request), cancellationToken);

    private Task<HttpResponseMessage> SendCoreAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);
}
