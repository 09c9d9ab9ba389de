using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Auth0Connector.Http;
using Auth0Connector.Tests.Support;

namespace Auth0Connector.Tests.Http;

/// <summary>
/// Ids a hostile tenant returns go into request paths as exactly one segment each: what goes on the
/// wire is read by a raw socket server, since System.Uri would collapse dot segments unseen.
/// </summary>
public class ApiPathTests : IDisposable
{
    /// <summary>Ids that would leave their segment if put into a path as they are.</summary>
    public static readonly string[] HostileIds = ["../x", "a/b", "x?y", ".", "..", "%2F", "#", "x#y", "a b", "é/ü", "..%2F..", "./.", "~user"];

    private readonly TempFiles _files = new();

    public static TheoryData<string> Ids() => [.. HostileIds];

    [Theory]
    [InlineData(".", "%2E")]
    [InlineData("..", "%2E%2E")]
    [InlineData("../x", "..%2Fx")]
    [InlineData("a/b", "a%2Fb")]
    [InlineData("x?y", "x%3Fy")]
    [InlineData("x#y", "x%23y")]
    [InlineData("%2F", "%252F")]
    [InlineData("a b", "a%20b")]
    [InlineData("é", "%C3%A9")]
    [InlineData("org_abc.def", "org_abc.def")]
    public void Segment_HostileId_IsEscapedAsOneSegment(string id, string expected)
    {
        Assert.Equal(expected, ApiPath.Segment(id));
    }

    [Fact]
    public void Segment_EmptyId_IsRefused()
    {
        Assert.Throws<InvalidDataException>(() => ApiPath.Segment(string.Empty));
    }

    [Fact]
    public void Of_ConstantsAndIds_JoinsEscapedSegments()
    {
        Assert.Equal("organizations/%2E%2E/members/a%2Fb/roles", ApiPath.Of("organizations", "..", "members", "a/b", "roles"));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public async Task Read_HostileOrganizationAndUserIds_ReachExactlyTheirMembersAndRolesPaths(string id)
    {
        using var server = new HostileIdServer(id);

        var run = await ConnectorRun.InvokeAsync(["read", "--config", _files.AccessTokenConfig(server.BaseUrl, "static-token-123"),
            "--catalog", _files.Catalog(["organization_members", "organization_member_roles"])]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains(server.Targets, t => HostileIdServer.Segments(t) is ["", "api", "v2", "organizations", var o, "members"] && Uri.UnescapeDataString(o) == id);
        Assert.Contains(server.Targets, t => HostileIdServer.Segments(t) is ["", "api", "v2", "organizations", var o, "members", var u, "roles"]
            && Uri.UnescapeDataString(o) == id && Uri.UnescapeDataString(u) == id);
        Assert.All(server.Targets, t => Assert.True(HostileIdServer.IsKnownPath(t, id), $"unexpected request target {t}"));
        Assert.Equal(id, Assert.Single(run.Records("organization_members")).GetProperty("org_id").GetString());
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public async Task Check_HostileOrganizationAndUserIds_ReachExactlyTheirMembersAndRolesPaths(string id)
    {
        using var server = new HostileIdServer(id);

        var run = await ConnectorRun.InvokeAsync(["check", "--config", _files.AccessTokenConfig(server.BaseUrl, "static-token-123")]);

        Assert.Equal("SUCCEEDED", run.ConnectionStatus.GetProperty("status").GetString());
        Assert.Contains(server.Targets, t => HostileIdServer.Segments(t) is ["", "api", "v2", "organizations", var o, "members", var u, "roles"]
            && Uri.UnescapeDataString(o) == id && Uri.UnescapeDataString(u) == id);
        Assert.All(server.Targets, t => Assert.True(HostileIdServer.IsKnownPath(t, id), $"unexpected request target {t}"));
    }

    public void Dispose() => _files.Dispose();

    /// <summary>
    /// A raw HTTP/1.1 server on 127.0.0.1 that records each request target as it arrived and answers
    /// with one organization and one member whose ids are <c>id</c>; roles (and the role catalog) are 403.
    /// </summary>
    private sealed class HostileIdServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly string _id;
        private readonly ConcurrentQueue<string> _targets = new();

        public HostileIdServer(string id)
        {
            _id = id;
            _listener.Start();
            _ = Task.Run(ServeAsync);
        }

        public string BaseUrl => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

        public IReadOnlyList<string> Targets => [.. _targets];

        public static string[] Segments(string target) => target.Split('?', 2)[0].Split('/');

        /// <summary>The paths check may probe: every definition's (from the registry), users, the role catalog, a member's roles.</summary>
        private static readonly string[][] Known =
        [
            .. new Auth0Connector.Streams.StreamRegistry().All.OfType<Auth0Connector.Streams.DefinedStream>().Select(s => s.Definition.Path.Split('/')),
            ["users"],
            ["roles"],
            ["organizations", "{id}", "members", "{user_id}", "roles"],
        ];

        /// <summary>A known path, with <paramref name="id"/> (escaped as one segment) wherever a parent id goes.</summary>
        public static bool IsKnownPath(string target, string id) => Segments(target) is ["", "api", "v2", .. var rest]
            && Known.Any(k => k.Length == rest.Length && k.Zip(rest).All(p => p.First.StartsWith('{') ? Uri.UnescapeDataString(p.Second) == id : p.First == p.Second));

        private async Task ServeAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                _ = Task.Run(() => AnswerAsync(client));
            }
        }

        private async Task AnswerAsync(TcpClient client)
        {
            using var _ = client;
            var stream = client.GetStream();
            var head = new StringBuilder();
            var buffer = new byte[4096];
            while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                head.Append(Encoding.Latin1.GetString(buffer, 0, read));
            }

            var target = head.ToString().Split("\r\n")[0].Split(' ')[1];
            _targets.Enqueue(target);
            var (status, body) = Segments(target) switch
            {
                ["", "api", "v2", "organizations"] => (200, JsonSerializer.Serialize(new { organizations = new[] { new { id = _id, name = "hostile" } } })),
                ["", "api", "v2", "organizations", _, "members"] => (200, JsonSerializer.Serialize(new { members = new[] { new { user_id = _id, email = "m@example.com" } } })),
                ["", "api", "v2", "organizations", _, "members", _, "roles"] => (200, """{"roles":[],"start":0,"limit":50,"total":0}"""),
                ["", "api", "v2", "organizations", _, "invitations" or "enabled_connections"] => (200, "[]"),
                ["", "api", "v2", "roles"] => (403, """{"statusCode":403,"error":"Forbidden","message":"Insufficient scope","errorCode":"insufficient_scope"}"""),
                ["", "api", "v2", _] => (200, "[]"),
                _ => (404, """{"statusCode":404,"error":"Not Found","message":"Not found"}"""),
            };
            var bytes = Encoding.UTF8.GetBytes(body);
            var response = $"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(response), _stop.Token);
            await stream.WriteAsync(bytes, _stop.Token);
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }
    }

    [Fact]
    public void WithQuery_NamesAndValues_EscapedNullsLeftOut()
    {
        var uri = ApiPath.WithQuery(ApiPath.Of("organizations", "a/b", "members"), ("take", 50), ("from", "x&y=z#"), ("fields", null), ("include_totals", true));

        Assert.Equal("organizations/a%2Fb/members?take=50&from=x%26y%3Dz%23&include_totals=true", uri);
        Assert.Equal("users?q=updated_at%3A%5B2024-01-01T00%3A00%3A00.000Z%20TO%20%2A%5D&page=0", ApiPath.WithQuery("users", ("q", "updated_at:[2024-01-01T00:00:00.000Z TO *]"), ("page", 0)));
        Assert.Equal("roles?per_page=1&page=0", ApiPath.WithQuery("roles?per_page=1", ("page", 0)));
    }
}
