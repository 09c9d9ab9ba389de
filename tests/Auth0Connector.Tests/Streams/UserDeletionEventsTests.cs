using System.Text.Json;
using Auth0Connector.Configuration;
using Auth0Connector.Streams;
using Auth0Connector.Streams.Cursors;
using Auth0Connector.Streams.Definitions;

namespace Auth0Connector.Tests.Streams;

/// <summary>Which log events record a user's deletion, and what the users state keeps of the log.</summary>
public class UserDeletionEventsTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    private static string Api(string type, string method, string path, object status)
    {
        var code = status is string text ? $"\"{text}\"" : status.ToString();
        return "{\"type\":\"" + type + "\",\"user_id\":\"google-oauth2|admin-7\",\"details\":{\"request\":{\"method\":\"" + method
            + "\",\"path\":\"" + path + "\"},\"response\":{\"statusCode\":" + code + "}}}";
    }

    [Theory]
    [InlineData("""{"type":"sdu","user_id":"auth0|64a1f0c2"}""", "auth0|64a1f0c2")]
    [InlineData("""{"type":"sdu","user_id":""}""", null)]
    [InlineData("""{"type":"fdu","user_id":"auth0|64a1f0c2"}""", null)]
    [InlineData("""{"type":"s","user_id":"auth0|64a1f0c2"}""", null)]
    [InlineData("""{"type":"sapi"}""", null)]
    [InlineData("""{"type":"sapi","details":{"request":{"method":"delete","path":"/api/v2/users/auth0%7C1"}}}""", null)]
    public void DeletedUser_OfAnEvent_OnlyASuccessfulDeletionNamesAUser(string logEvent, string? expected) =>
        Assert.Equal(expected, UserDeletions.DeletedUser(Json(logEvent)));

    [Theory]
    // The deleted user is the one in the path, url-decoded; the event's own user_id is the actor.
    [InlineData("sapi", "delete", "/api/v2/users/auth0%7C64a1f0c2", 204, "auth0|64a1f0c2")]
    [InlineData("sapi", "DELETE", "/api/v2/users/google-oauth2%7C1098%2F7", 204, "google-oauth2|1098/7")]
    [InlineData("sapi", "delete", "/api/v2/users/email%7C5f1e?x=1", "204", "email|5f1e")]
    [InlineData("sapi", "delete", "/api/v2/users/auth0%7C64a1f0c2", 404, null)]
    [InlineData("fapi", "delete", "/api/v2/users/auth0%7C64a1f0c2", 500, null)]
    [InlineData("sapi", "patch", "/api/v2/users/auth0%7C64a1f0c2", 204, null)]
    [InlineData("sapi", "delete", "/api/v2/users/auth0%7C64a1f0c2/roles", 204, null)]
    [InlineData("sapi", "delete", "/api/v2/users/auth0%7C64a1f0c2/multifactor/guardian", 204, null)]
    [InlineData("sapi", "delete", "/api/v2/organizations/org_1/members", 204, null)]
    [InlineData("sapi", "delete", "/api/v2/users/", 204, null)]
    [InlineData("sapi", "delete", "/api/v2/users", 204, null)]
    public void DeletedUser_OfAnApiOperation_OnlyA204DeleteOfTheUserItself(string type, string method, string path, object status, string? expected) =>
        Assert.Equal(expected, UserDeletions.DeletedUser(Json(Api(type, method, path, status))));

    [Fact]
    public void Read_StateWithDeletions_GivesThePositionAndTheRecentUsers()
    {
        var state = Json("""
            {"updated_at":"2025-05-01T00:00:00.000Z","deletions":{"log_id":"90020250531235719913426000000000000001223372036000000156","date":"2025-05-31T23:57:19.864Z","recent":["auth0|a","auth0|b"]}}
            """);

        new DefinedStream(Users.Definition).ValidateState(state);
        var position = DeletionsState.Read(state)!;

        Assert.Equal("90020250531235719913426000000000000001223372036000000156", position.LogId);
        Assert.Equal("2025-05-31T23:57:19.864Z", position.Date);
        Assert.Equal(["auth0|a", "auth0|b"], position.Recent);
        Assert.Null(DeletionsState.Read(Json("""{"updated_at":"2025-05-01T00:00:00.000Z"}""")));
        Assert.Null(DeletionsState.Read(Json("""{"deletions":null}""")));
    }

    [Theory]
    [InlineData("""{"deletions":"900"}""", "state.users.deletions")]
    [InlineData("""{"deletions":{"log_id":"not-an-id"}}""", "state.users.deletions.log_id")]
    [InlineData("""{"deletions":{"log_id":"900","date":"yesterday"}}""", "state.users.deletions.date")]
    [InlineData("""{"deletions":{"log_id":"900","recent":"auth0|a"}}""", "state.users.deletions.recent")]
    [InlineData("""{"deletions":{"log_id":"900","recent":[1]}}""", "state.users.deletions.recent")]
    public void ValidateState_MalformedDeletions_ConfigErrorNamingTheField(string state, string field)
    {
        var error = Assert.Throws<ConfigException>(() => new DefinedStream(Users.Definition).ValidateState(Json(state)));

        Assert.Equal(field, error.Field);
        Assert.Contains("deletions", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithDeletions_InputState_KeepsEverythingElseAndReplacesThePosition()
    {
        var input = Json("""{"updated_at":"2025-05-01T00:00:00.000Z","ranges":[{"lower":"2025-05-01T00:00:00.000Z","upper":"2025-06-01T00:00:00.000Z","done":false}],"deletions":{"log_id":"1"}}""");

        var json = UsersState.WithDeletions(input, new DeletionsPosition("2", "2025-06-01T00:00:00.000Z", ["auth0|x"]));

        Assert.Equal("""{"updated_at":"2025-05-01T00:00:00.000Z","ranges":[{"lower":"2025-05-01T00:00:00.000Z","upper":"2025-06-01T00:00:00.000Z","done":false}],"deletions":{"log_id":"2","date":"2025-06-01T00:00:00.000Z","recent":["auth0|x"]}}""", json);
        Assert.Equal("""{"deletions":{"log_id":"2"}}""", UsersState.Json(null, new DeletionsPosition("2", null, [])));
    }
}
