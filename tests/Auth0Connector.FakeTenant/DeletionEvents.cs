using System.Text.Json.Nodes;

namespace Auth0Connector.FakeTenant;

/// <summary>The kinds of log event a user deletion (or any Management API write) leaves, with their descriptions.</summary>
internal static class DeletionKinds
{
    /// <summary>Successful User Deletion.</summary>
    public static readonly (string Type, string? Description) Deleted = ("sdu", "User successfully deleted");

    /// <summary>Failed User Deletion.</summary>
    public static readonly (string Type, string? Description) Failed = ("fdu", "User deletion failed");

    /// <summary>Success API Operation (2xx) or Failed API Operation, described as Auth0 names the operation ("Delete a user").</summary>
    public static (string Type, string? Description) Api(string operation, int statusCode = 204) =>
        (statusCode is >= 200 and < 300 ? "sapi" : "fapi", operation);
}

/// <summary>
/// What the log events of a user deletion carry (docs: "Deletions and groups" in auth0-api.md): the <c>sdu</c>/<c>fdu</c>
/// event names the deleted user in its own <c>user_id</c>; the <c>sapi</c>/<c>fapi</c> event of the Management API call
/// names it only in <c>details.request.path</c> (url-encoded), its <c>user_id</c> being the actor's (empty for an M2M
/// application), with the answer's status in <c>details.response.statusCode</c>.
/// </summary>
internal static class DeletionEvents
{
    /// <summary>The M2M application the fake's own writes are made with, as the log names it.</summary>
    public const string AdminClientId = "Xk2pQ7a9Lm3RtV8wN5cJ1yB6dF4hG0sE";

    /// <summary>Fills an <c>sdu</c>/<c>fdu</c> event for <paramref name="userId"/>.</summary>
    public static void Deleted(JsonObject json, string userId, string? userName, string? error = null)
    {
        json["user_id"] = userId;
        json["user_name"] = userName;
        json["client_id"] = AdminClientId;
        json["client_name"] = string.Empty;
        json["details"] = error is null ? new JsonObject() : new JsonObject { ["error"] = new JsonObject { ["message"] = error } };
        json["location_info"] = null;
        json["organization_id"] = null;
        json["organization_name"] = null;
    }

    /// <summary>Fills a <c>sapi</c>/<c>fapi</c> event: the Management API request an M2M application made, and its answer's status.</summary>
    public static void ApiOperation(JsonObject json, string method, string path, int statusCode, JsonObject? responseBody = null)
    {
        json["user_id"] = string.Empty;
        json["user_name"] = null;
        json["client_id"] = AdminClientId;
        json["client_name"] = string.Empty;
        json.Remove("audience");
        json.Remove("scope");
        json["location_info"] = null;
        json["organization_id"] = null;
        json["organization_name"] = null;
        json["details"] = new JsonObject
        {
            ["request"] = new JsonObject
            {
                ["method"] = method,
                ["path"] = path,
                ["query"] = new JsonObject(),
                ["userAgent"] = "node.js/20.11.1 node-auth0/4.6.0",
                ["body"] = new JsonObject(),
                ["channel"] = "api",
                ["ip"] = json["ip"]?.GetValue<string>(),
                ["auth"] = new JsonObject
                {
                    ["user"] = new JsonObject(),
                    ["strategy"] = "jwt",
                    ["credentials"] = new JsonObject { ["jti"] = "8f6f3c1a5b2d4e7f9a0b1c2d3e4f5a6b", ["scopes"] = new JsonArray("delete:users", "create:users") },
                },
            },
            ["response"] = new JsonObject
            {
                ["statusCode"] = statusCode,
                ["body"] = responseBody ?? new JsonObject(),
            },
        };
    }
}
