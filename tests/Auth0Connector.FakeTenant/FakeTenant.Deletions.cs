using System.Text.Json.Nodes;
using WireMock;
using WireMock.Types;

namespace Auth0Connector.FakeTenant;

/// <summary>
/// Deleting users as Auth0 does: <c>DELETE /api/v2/users/{id}</c> (scope <c>delete:users</c>) answers 204 with no body,
/// whether or not the user existed (node-auth0 #451, #645: "a 204 on user not found or user deleted"). The user
/// disappears from every view (Auth0 keeps no tombstones) and the tenant log gains what Auth0 writes for it: a
/// <c>sdu</c> (Successful User Deletion, the deleted user in its <c>user_id</c>) and the <c>sapi</c> "Delete a user"
/// of the API call (the user only in <c>details.request.path</c>, url-encoded; status 204). Deleting an id the tenant
/// does not have writes only the <c>sapi</c> (inferred: nothing was deleted).
/// </summary>
public sealed partial class FakeTenant
{
    private readonly Dictionary<string, UserRecord> _deletedUsers = new(StringComparer.Ordinal);

    /// <summary>Deletes a user as <c>DELETE /api/v2/users/{id}</c> does, its log events included; false when there was no such user.</summary>
    public bool DeleteUser(string userId) => DeleteUserLogged(userId).Deleted;

    /// <summary>
    /// Deletes a user as <see cref="DeleteUser"/> does and returns the log events it wrote (the <c>sdu</c>, then the
    /// <c>sapi</c>; only the <c>sapi</c> when there was no such user).
    /// </summary>
    public (bool Deleted, IReadOnlyList<JsonObject> Events) DeleteUserLogged(string userId)
    {
        UserRecord? removed;
        lock (_usersGate)
        {
            var index = _users;
            removed = index.Find(userId)?.Record;
            var next = index.Without(userId);
            Volatile.Write(ref _users, next);
            RemoveFromSearch(index, next, userId);
            if (removed is not null)
            {
                _deletedUsers[userId] = removed;
            }
        }

        var events = new List<JsonObject>();
        lock (_logsGate)
        {
            if (removed is not null)
            {
                events.Add(LogStore.AppendEvent(DeletionKinds.Deleted.Type, DeletionKinds.Deleted.Description, e => DeletionEvents.Deleted(e, userId, removed.Email)).Json);
            }

            events.Add(LogApiOperationLocked("delete", "/api/v2/users/" + Uri.EscapeDataString(userId), 204, "Delete a user"));
        }

        return (removed is not null, events);
    }

    /// <summary>
    /// Creates again, with the same <c>user_id</c>, a user deleted earlier (<c>POST /api/v2/users</c> with a
    /// <c>user_id</c>, which database connections accept): its profile as it was, <c>created_at</c> and
    /// <c>updated_at</c> set to <paramref name="at"/>; the log gains the <c>sapi</c> "Create a User" (201).
    /// </summary>
    public JsonObject RecreateUser(string userId, DateTimeOffset at)
    {
        long ticks = TenantData.TruncateToMilliseconds(at.UtcTicks);
        lock (_usersGate)
        {
            if (!_deletedUsers.Remove(userId, out var record))
            {
                throw new KeyNotFoundException($"No deleted user {userId}");
            }

            var entry = new UserEntry(record with { CreatedTicks = ticks, UpdatedTicks = ticks });
            var index = _users;
            var next = index.WithUser(entry);
            Volatile.Write(ref _users, next);
            PublishToSearch(index, next, entry);
        }

        lock (_logsGate)
        {
            return LogApiOperationLocked("post", "/api/v2/users", 201, "Create a User", new JsonObject { ["user_id"] = userId });
        }
    }

    /// <summary>
    /// A deletion that fails (a custom database's delete script throwing): the user stays, and the log gains a
    /// <c>fdu</c> (Failed User Deletion) and the <c>fapi</c> "Delete a user" with the error status. Returns both events.
    /// </summary>
    public IReadOnlyList<JsonObject> FailUserDeletion(string userId, int statusCode = 500)
    {
        var email = Volatile.Read(ref _users).Find(userId)?.Record.Email ?? throw new KeyNotFoundException($"No user {userId}");
        lock (_logsGate)
        {
            var failed = LogStore.AppendEvent(DeletionKinds.Failed.Type, DeletionKinds.Failed.Description, e => DeletionEvents.Deleted(e, userId, email, "Error in delete script"));
            return [failed.Json, LogApiOperationLocked("delete", "/api/v2/users/" + Uri.EscapeDataString(userId), statusCode, "Delete a user")];
        }
    }

    /// <summary>
    /// Logs a Management API write as Auth0 does (<c>sapi</c> for a 2xx answer, else <c>fapi</c>), e.g. <c>DELETE
    /// /api/v2/users/{id}/roles</c> answered 204, for operations the fake does not serve itself. Returns the event.
    /// </summary>
    public JsonObject LogApiOperation(string method, string path, int statusCode, string description)
    {
        lock (_logsGate)
        {
            return LogApiOperationLocked(method, path, statusCode, description);
        }
    }

    private JsonObject LogApiOperationLocked(string method, string path, int statusCode, string description, JsonObject? responseBody = null)
    {
        var (type, text) = DeletionKinds.Api(description, statusCode);
        return LogStore.AppendEvent(type, text, e => DeletionEvents.ApiOperation(e, method, path, statusCode, responseBody)).Json;
    }

    private ResponseMessage DeleteUserCall(ApiCall call, string userId)
    {
        if (!RequireScope(call, out var error, "delete:users"))
        {
            return error;
        }

        DeleteUserLogged(userId);
        var headers = new Dictionary<string, WireMockList<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in call.Headers)
        {
            headers[name] = new WireMockList<string>(value);
        }

        return new ResponseMessage { StatusCode = 204, Headers = headers };
    }
}
