using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Auth0Connector.Foundation;
using Auth0Connector.Http;
using Auth0Connector.Streams;

namespace Auth0Connector.Cli;

/// <summary>What check learned of one stream.</summary>
internal enum ProbeOutcome
{
    /// <summary>The probe was answered: the credentials carry the stream's scopes.</summary>
    Readable,

    /// <summary>403: a scope is missing.</summary>
    MissingScope,

    /// <summary>No parent record to probe with (or the parent itself unreadable): judged by the token's scopes, if it names them.</summary>
    NotProbed,
}

/// <summary>
/// check's probes: one small request per stream, derived from its definition (a child stream is
/// probed with its parent's first record). Independent probes run side by side; each request is
/// sent once however many streams need it (a parent's probe serves its children). Findings are
/// kept per stream and read in registry order, so the message does not depend on timing.
/// </summary>
internal sealed class CheckProbes(Auth0ApiClient api, StreamRegistry registry, int concurrency, CancellationToken cancellationToken) : IDisposable
{
    /// <summary>The role catalog's probe: without read:roles, organization_member_roles costs a request per member.</summary>
    private static readonly string RolesProbe = DefinedStream.ProbePath(Streams.Definitions.Roles.Definition);

    private readonly ConcurrentDictionary<string, Lazy<Task<JsonDocument?>>> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<(ProbeOutcome Outcome, string? FirstId)>>> _streams = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _unavailable = new();

    // max_concurrency in flight, as in a sync: twenty-two probes at once would empty a small tenant's bucket.
    private readonly SemaphoreSlim _slots = new(concurrency, concurrency);

    /// <summary>Whether the probes began (a token was had).</summary>
    public bool Started { get; private set; }

    /// <summary>Sends every stream's probe; an answer other than 2xx/403 (and a missing feature) fails check by exception.</summary>
    public async Task RunAsync()
    {
        Started = true;
        await Task.WhenAll([.. registry.All.Select(s => (Task)OutcomeAsync(s)), RequestAsync(RolesProbe)]);
    }

    /// <summary>Each stream's outcome, in registry order.</summary>
    public IEnumerable<(IAuth0Stream Stream, ProbeOutcome Outcome)> Outcomes() =>
        registry.All.Select(s => (s, _streams[s.Name].Value.Result.Outcome));

    /// <summary>Notes for the user: features the tenant lacks, empty parents, the role catalog.</summary>
    public IEnumerable<string> Notes()
    {
        foreach (var note in _unavailable.Distinct())
        {
            yield return note;
        }

        // Only worth saying when member roles can be read at all.
        if (_requests.TryGetValue(RolesProbe, out var roles) && roles.Value.Result is null
            && _streams.TryGetValue("organization_member_roles", out var memberRoles) && memberRoles.Value.Result.Outcome == ProbeOutcome.Readable)
        {
            yield return "Without read:roles, organization_member_roles costs one request per member: grant it to read roles with the members listing.";
        }

        // Deletions are read from the tenant log: worth saying whenever users can be read and the log cannot.
        if (_streams.TryGetValue("logs", out var logs) && logs.Value.Result.Outcome == ProbeOutcome.MissingScope
            && _streams.TryGetValue("users", out var users) && users.Value.Result.Outcome == ProbeOutcome.Readable)
        {
            yield return "Without read:logs, the users stream cannot track deletions (Auth0 records them only in the tenant log): users deleted in Auth0 stay in the destination as if active. Grant read:logs to have each incremental sync emit them.";
        }
    }

    public void Dispose()
    {
        _slots.Dispose();
        foreach (var request in _requests.Values)
        {
            if (request.IsValueCreated && request.Value.IsCompletedSuccessfully)
            {
                request.Value.Result?.Dispose();
            }
        }
    }

    private Task<(ProbeOutcome Outcome, string? FirstId)> OutcomeAsync(IAuth0Stream stream) =>
        _streams.GetOrAdd(stream.Name, _ => new(() => ProbeStreamAsync(stream))).Value;

    private async Task<(ProbeOutcome, string?)> ProbeStreamAsync(IAuth0Stream stream)
    {
        switch (stream)
        {
            // Its retriever reads two levels down (organization, member): probed with the first of each.
            case DefinedStream { Definition.Retriever: Streams.Retrievers.MemberRolesRetriever }:
                return await ProbeMemberRolesAsync();
            case DefinedStream { Definition: { Parent: { } router } definition }:
                var (parentOutcome, parentId) = await OutcomeAsync(Of(router.Parent));
                if (parentOutcome != ProbeOutcome.Readable || parentId is null)
                {
                    if (parentOutcome == ProbeOutcome.Readable && !_unavailable.Any(n => n.Contains(router.Parent.Path, StringComparison.Ordinal)))
                    {
                        _unavailable.Enqueue($"The tenant has no {router.Parent.Name} yet: the streams read per {router.Parent.Name[..^1].Replace('_', ' ')} will be empty.");
                    }

                    return (ProbeOutcome.NotProbed, null);
                }

                return await ProbeAsync(DefinedStream.ProbePath(definition, parentId), definition.RecordsProperty, FirstKeyOf(definition), parentId);
            case DefinedStream { Definition: var definition }:
                return await ProbeAsync(DefinedStream.ProbePath(definition), definition.RecordsProperty, FirstKeyOf(definition));
            default:
                throw new InvalidOperationException($"check has no probe for {stream.Name}: make it a definition.");
        }
    }

    /// <summary>The key a child stream needs of this stream's first record (its primary key's last field); none of one object (its key is the connector's).</summary>
    private string? FirstKeyOf(StreamDefinition definition) => definition.OneObject ? null :
        registry.All.OfType<DefinedStream>().Select(s => s.Definition.Parent).FirstOrDefault(r => r?.Parent == definition)?.ParentKey
        ?? definition.PrimaryKey.LastOrDefault();

    private IAuth0Stream Of(StreamDefinition definition) =>
        registry.Find(definition.Name) ?? throw new InvalidOperationException($"{definition.Name} is not registered.");

    // organizations → the first one's members → the first member's roles.
    private async Task<(ProbeOutcome, string?)> ProbeMemberRolesAsync()
    {
        var members = Streams.Definitions.OrganizationMembers.Definition;
        var (_, orgId) = await OutcomeAsync(Of(members.Parent!.Parent));
        var (outcome, userId) = await OutcomeAsync(Of(members));
        if (orgId is null || outcome != ProbeOutcome.Readable || userId is null)
        {
            return (ProbeOutcome.NotProbed, null);
        }

        return await ProbeAsync(ApiPath.WithQuery(Streams.Retrievers.MemberRolesRetriever.RolesPath(orgId, userId), ("per_page", 1), ("page", 0)), "roles", "id");
    }

    private async Task<(ProbeOutcome, string?)> ProbeAsync(string uri, string? recordsProperty, string? key, string? parentId = null)
    {
        try
        {
            var document = await RequestAsync(uri);
            return document is null ? (ProbeOutcome.MissingScope, null) : (ProbeOutcome.Readable, key is null ? null : FirstId(document.RootElement, recordsProperty, key, uri));
        }
        catch (Auth0ApiException e) when (ErrorResolution.For(e) == ErrorAction.PlanLacksFeature)
        {
            // Groups on a tenant without them (403 feature_not_enabled): a sync reads these streams as empty.
            var path = parentId is null ? Auth0ApiClient.PathOf(uri) : Auth0ApiClient.PathOf(uri).Replace(ApiPath.Segment(parentId), "{id}", StringComparison.Ordinal);
            _unavailable.Enqueue($"{path} is not available on this tenant (HTTP 403 {e.ErrorCode}: a feature not on its plan or not enabled for it); its streams will be empty.");
            return (ProbeOutcome.Readable, null);
        }
        catch (Auth0ApiException e) when (parentId is null && e.Status is HttpStatusCode.NotFound or HttpStatusCode.BadRequest or HttpStatusCode.PaymentRequired)
        {
            // A feature the tenant does not have (Organizations on a plan without them): its streams are empty.
            _unavailable.Enqueue($"{Auth0ApiClient.PathOf(uri)} is not available on this tenant ({e.Message}); its streams will be empty.");
            return (ProbeOutcome.Readable, null);
        }
    }

    /// <summary>One request, sent once however many probes need it; null when refused for a missing scope.</summary>
    private Task<JsonDocument?> RequestAsync(string uri) =>
        _requests.GetOrAdd(uri, u => new(async () =>
        {
            await _slots.WaitAsync(cancellationToken);
            try
            {
                return await api.GetJsonAsync(u, cancellationToken);
            }
            catch (Auth0ApiException e) when (ErrorResolution.For(e) == ErrorAction.MissingScope)
            {
                return null;
            }
            finally
            {
                _slots.Release();
            }
        })).Value;

    /// <summary>The first row's <paramref name="idProperty"/>; an answer of the wrong shape or with a row that is not an object fails check as it would fail read.</summary>
    private static string? FirstId(JsonElement root, string? itemsProperty, string idProperty, string uri)
    {
        var items = Paginators.Items(root, itemsProperty, uri);
        return items.GetArrayLength() > 0 ? items[0].StringProperty(idProperty) : null;
    }
}
