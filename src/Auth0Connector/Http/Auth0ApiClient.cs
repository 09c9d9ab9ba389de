using System.Net;
using System.Text.Json;
using Auth0Connector.Foundation;

namespace Auth0Connector.Http;

/// <summary>
/// The typed HttpClient for the Management API (<c>{base}/api/v2/</c>). Its handler chain is the
/// one send path (see <see cref="ConnectorServices"/>): retries → rate gate → authentication →
/// attempt timeout → body buffering → request logging.
/// </summary>
internal sealed class Auth0ApiClient(HttpClient http)
{
    /// <summary>GETs a relative path such as <c>users?page=0</c> and parses the JSON body.</summary>
    public Task<JsonDocument> GetJsonAsync(string relativeUri, CancellationToken cancellationToken) =>
        SendJsonAsync(HttpMethod.Get, relativeUri, null, cancellationToken);

    /// <summary>POSTs a JSON body (creating a job, say) and parses the JSON answer.</summary>
    public Task<JsonDocument> PostJsonAsync(string relativeUri, string json, CancellationToken cancellationToken) =>
        SendJsonAsync(HttpMethod.Post, relativeUri, json, cancellationToken);

    private async Task<JsonDocument> SendJsonAsync(HttpMethod method, string relativeUri, string? json, CancellationToken cancellationToken)
    {
        var path = PathOf(relativeUri);
        HttpResponseMessage response;
        try
        {
            using var request = new HttpRequestMessage(method, ApiPath.Resolve(http.BaseAddress!, relativeUri));
            if (json is not null)
            {
                request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
            }

            response = await http.SendAsync(request, cancellationToken);
        }
        catch (Exception e) when (Auth0TransportException.IsTransportFailure(e, cancellationToken))
        {
            throw new Auth0TransportException($"Could not get a response from {http.BaseAddress?.Host} for {path} after retries: {e.Message}", e);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw ToException(method, response.StatusCode, await response.Content.ReadAsByteArrayAsync(cancellationToken), path);
            }

            try
            {
                // The buffered body is parsed in place (the document keeps it alive): no second copy.
                return response.Content is BufferedContent buffered
                    ? JsonDocument.Parse(buffered.Body, ServerJson.Options)
                    : await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), ServerJson.Options, cancellationToken);
            }
            catch (JsonException)
            {
                throw new Auth0ApiException(response.StatusCode, "invalid_json", $"The Management API answered {path} with a body that is not valid JSON ({response.Content.Headers.ContentLength} bytes).", path);
            }
        }
    }

    internal static string PathOf(string relativeUri)
    {
        var query = relativeUri.IndexOf('?', StringComparison.Ordinal);
        return "/api/v2/" + (query < 0 ? relativeUri : relativeUri[..query]);
    }

    private static Auth0ApiException ToException(HttpMethod method, HttpStatusCode status, byte[] body, string path)
    {
        string? errorCode = null, message = null;
        try
        {
            using var document = JsonDocument.Parse(body, ServerJson.Options);
            errorCode = document.RootElement.StringProperty("errorCode");
            message = document.RootElement.StringProperty("message");
        }
        catch (JsonException)
        {
            // Not a JSON error body (a proxy page, say): the status line is all we have.
        }

        var text = $"{method} {path} answered HTTP {(int)status}" + (errorCode is null ? string.Empty : $" {errorCode}") + (message is null ? "." : $": {message.TrimEnd('.')}.");
        text += ErrorResolution.For(status, errorCode, message, path) switch
        {
            ErrorAction.RenewToken => " The access token was rejected: check the credentials (a pasted access token may have expired).",
            ErrorAction.MissingScope => " Grant the missing scope to the application in the Auth0 dashboard (APIs → Auth0 Management API → Machine to Machine Applications).",
            ErrorAction.PlanLacksFeature => " The tenant does not have this feature (not on its subscription plan, or an Early Access feature not enabled for it).",
            ErrorAction.NarrowQuery => " Auth0's user search answers 503 when a query runs past its time limit.",
            _ when status == HttpStatusCode.TooManyRequests => " The tenant's rate limit was still exhausted after retries.",
            _ => string.Empty,
        };
        return new Auth0ApiException(status, errorCode, text, path);
    }
}
