using Auth0Connector.Auth;
using Auth0Connector.Http;
using Auth0Connector.Protocol;
using Auth0Connector.Streams;

namespace Auth0Connector.Cli;

/// <summary>
/// Members and member roles from one walk when it gives both exactly what their own walks would
/// (see <see cref="MembersWithRoles"/>); otherwise one after the other, each failing alone.
/// </summary>
internal static class JointRead
{
    public static async Task<Failure?> ReadAsync(IAuth0Stream[] streams, StreamContext context, ITokenSource tokens, SyncProgress? progress, RequestScope scope, CancellationToken cancellationToken)
    {
        MembersWithRoles? walk;
        try
        {
            await tokens.GetTokenAsync(cancellationToken);
            walk = await MembersWithRoles.TryPlanAsync(context, tokens.GrantedScopes, cancellationToken);
        }
        catch (Exception e) when (e is not OutputClosedException && (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            // Neither stream can be read: both say why.
            return await StreamRun.ReadAsync(streams, StreamRun.Failing(e), context.Messages, progress, context.Time, scope, cancellationToken);
        }

        if (walk is null)
        {
            return await SeparatelyAsync(streams, context, tokens, progress, scope, cancellationToken);
        }

        await using (walk)
        {
            // The first page tells whether the tenant really serves roles with the members listing
            // (a token claiming a scope is not the tenant granting it): if not, each stream walks on
            // its own and only member roles fails. The unit is [members, member roles], as the walk's indexes.
            var items = walk.ReadAsync(context, cancellationToken).GetAsyncEnumerator(cancellationToken);
            bool any;
            try
            {
                any = await items.MoveNextAsync();
            }
            catch (Auth0ApiException e) when (ErrorResolution.For(e) == ErrorAction.MissingScope)
            {
                await items.DisposeAsync();
                context.Messages.Log(LogLevel.Warn, $"organization_member_roles: the tenant refused the members listing with roles ({e.Message}); reading members and member roles in separate walks.");
                return await SeparatelyAsync(streams, context, tokens, progress, scope, cancellationToken);
            }
            catch (Exception e) when (e is not OutputClosedException && (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
            {
                await items.DisposeAsync();
                return await StreamRun.ReadAsync(streams, StreamRun.Failing(e), context.Messages, progress, context.Time, scope, cancellationToken);
            }

            return await StreamRun.ReadAsync(streams, AsyncSequences.FromCurrent(items, any), context.Messages, progress, context.Time, scope, cancellationToken);
        }
    }

    /// <summary>Members, then member roles, each on its own walk and failing alone (a failure that stops the sync skips the second).</summary>
    private static async Task<Failure?> SeparatelyAsync(IAuth0Stream[] streams, StreamContext context, ITokenSource tokens, SyncProgress? progress, RequestScope scope, CancellationToken cancellationToken)
    {
        var first = await ReadOneAsync(streams[0], context, tokens, progress, scope, cancellationToken);
        if (first?.StopsSync == true)
        {
            StreamRun.Skip(streams[1], context.Messages, progress);
            return first;
        }

        return await ReadOneAsync(streams[1], context, tokens, progress, scope, cancellationToken) ?? first;
    }

    private static Task<Failure?> ReadOneAsync(IAuth0Stream stream, StreamContext context, ITokenSource tokens, SyncProgress? progress, RequestScope scope, CancellationToken cancellationToken) =>
        StreamRun.ReadAsync([stream], SyncScheduler.KnownMissingScope(stream, tokens) is { } missing ? StreamRun.Failing(missing) : StreamRun.Only(stream, context, cancellationToken),
            context.Messages, progress, context.Time, scope, cancellationToken);
}
