using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Auth0Connector.Streams;

/// <summary>
/// Parent listings read once for every child stream of a sync: the ids of the organizations (members, member
/// roles, invitations, enabled connections) and of the roles (their users, their permissions) are listed by one
/// reader in the background and handed to every child stream as they arrive, instead of each stream listing them
/// again. Memory is bounded: past <see cref="MaxIds"/> ids a listing is no longer kept, and each stream goes on with
/// its own listing from there (the ids it already had are skipped).
/// </summary>
internal sealed class SharedListings(CancellationToken readCancellation)
{
    /// <summary>Ids kept per listing (about half a megabyte).</summary>
    public const int MaxIds = 10_000;

    private readonly ConcurrentDictionary<string, SharedListing> _listings = new(StringComparer.Ordinal);

    /// <summary>The <paramref name="key"/> of every record of <paramref name="definition"/>, listed once for the whole sync.</summary>
    public IAsyncEnumerable<string> IdsAsync(StreamDefinition definition, string key, StreamContext context, CancellationToken cancellationToken) =>
        _listings.GetOrAdd($"{definition.Name}\n{key}", _ => new SharedListing(() => DefinedStream.ListIdsAsync(definition, key, context, readCancellation)))
            .ReadAsync(() => DefinedStream.ListIdsAsync(definition, key, context, cancellationToken), cancellationToken);

    private sealed class SharedListing(Func<IAsyncEnumerable<string>> source)
    {
        private readonly Lock _gate = new();
        private readonly List<string> _ids = [];
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Task? _producer;
        private bool _done;
        private bool _overflow;
        private ExceptionDispatchInfo? _failure;

        public async IAsyncEnumerable<string> ReadAsync(Func<IAsyncEnumerable<string>> ownListing, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                _producer ??= Task.Run(ProduceAsync, CancellationToken.None);
            }

            var next = 0;
            while (true)
            {
                string? id = null;
                Task? changed = null;
                lock (_gate)
                {
                    if (next < _ids.Count)
                    {
                        id = _ids[next++];
                    }
                    else if (_failure is null && !_done && !_overflow)
                    {
                        changed = _changed.Task;
                    }
                }

                if (id is not null)
                {
                    yield return id;
                    continue;
                }

                if (changed is not null)
                {
                    await changed.WaitAsync(cancellationToken);
                    continue;
                }

                break;
            }

            _failure?.Throw();
            if (!_overflow)
            {
                yield break;
            }

            // Too many to keep: this stream lists them itself, past the ones it already has.
            var had = new HashSet<string>(_ids.Take(next), StringComparer.Ordinal);
            await foreach (var id in ownListing().WithCancellation(cancellationToken))
            {
                if (!had.Remove(id))
                {
                    yield return id;
                }
            }
        }

        private async Task ProduceAsync()
        {
            try
            {
                await foreach (var id in source())
                {
                    lock (_gate)
                    {
                        if (_ids.Count >= MaxIds)
                        {
                            _overflow = true;
                            Signal();
                            return;
                        }

                        _ids.Add(id);
                        Signal();
                    }
                }

                lock (_gate)
                {
                    _done = true;
                    Signal();
                }
            }
            catch (Exception e)
            {
                lock (_gate)
                {
                    _failure = ExceptionDispatchInfo.Capture(e);
                    Signal();
                }
            }
        }

        private void Signal()
        {
            var changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            changed.TrySetResult();
        }
    }
}
