using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using WireMock;
using WireMock.ResponseBuilders;
using WireMock.Types;
using WireMock.Util;

namespace Auth0Connector.FakeTenant;

/// <summary>
/// The users export job, Auth0's documented way past the search's 1000-hit window:
/// <c>POST /api/v2/jobs/users-exports</c>, poll <c>GET /api/v2/jobs/{id}</c> until <c>completed</c>, then download
/// the gzipped NDJSON at <c>location</c> (a "pre-signed" link: no Authorization header, short-lived; every poll of
/// a completed job signs a fresh one). A plan without the feature refuses the job (<see cref="FakeTenantOptions.UsersExportFeature"/>).
/// </summary>
public sealed partial class FakeTenant
{
    private const string ExportsPathPrefix = "/exports/";
    private const string Alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private readonly ConcurrentDictionary<string, ExportJob> _exportJobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ExportFile> _exportFiles = new(StringComparer.Ordinal);

    /// <summary>Signed links handed out: signature → (file name, expiry in ticks of <see cref="FakeTenantOptions.Time"/>).</summary>
    private readonly ConcurrentDictionary<string, (string File, long ExpiresAtTicks)> _exportLinks = new(StringComparer.Ordinal);
    private int _exportJobCount;
    private int _exportJobPolls;
    private int _exportLinksSigned;

    /// <summary>Users export jobs created (<c>POST /api/v2/jobs/users-exports</c> answered 201).</summary>
    public int ExportJobCount => Volatile.Read(ref _exportJobCount);

    /// <summary><c>GET /api/v2/jobs/{id}</c> requests answered (any job).</summary>
    public int ExportJobPollCount => Volatile.Read(ref _exportJobPolls);

    /// <summary>
    /// Inferred wording, in the shape Auth0 refuses a feature the plan lacks ("Please upgrade your subscription to
    /// enable Tenant ACL Management.", auth0/auth0-cli#1196), with the errorCode Auth0 also sends for a missing scope
    /// (<c>{"statusCode":403,"error":"Forbidden","message":"Bot Detection API is not enabled for this tenant.",
    /// "errorCode":"insufficient_scope"}</c>, auth0/terraform-provider-auth0#1406): only the message tells them apart.
    /// </summary>
    internal const string ExportsNotOnPlanMessage = "Please upgrade your subscription to enable users exports.";

    private ResponseMessage PostUsersExport(ApiCall call)
    {
        if (!RequireScope(call, out var error, "read:users"))
        {
            return error;
        }

        if (!Options.UsersExportFeature || Options.RateLimitPlan == RateLimitPlan.Free)
        {
            return call.Reply(403, Http.ApiError(403, "Forbidden", ExportsNotOnPlanMessage, "insufficient_scope"));
        }

        static ResponseMessage Invalid(ApiCall call, string message) =>
            call.Reply(400, Http.ApiError(400, "Bad Request", "Payload validation error: " + message, "invalid_body"));

        string text = Http.BodyText(call.Request);
        JsonObject body;
        try
        {
            var parsed = string.IsNullOrWhiteSpace(text) ? new JsonObject() : JsonNode.Parse(text);
            if (parsed is not JsonObject obj)
            {
                return Invalid(call, "'Expected type object' on the request body.");
            }

            body = obj;
        }
        catch (JsonException)
        {
            return call.Reply(400, Http.ApiError(400, "Bad Request", "Invalid request payload JSON format", "invalid_body"));
        }

        // Auth0's default format is csv; this fake only writes json (a connector must ask for json explicitly).
        string format = "csv";
        if (body["format"] is JsonNode formatNode)
        {
            if (formatNode is not JsonValue fv || !fv.TryGetValue(out string? f) || (f != "json" && f != "csv"))
            {
                return Invalid(call, "'No enum match for: " + formatNode.ToJsonString() + "' on property format (The format of the file. Must be json or csv.).");
            }

            format = f;
        }

        if (format != "json")
        {
            return call.Reply(400, Http.ApiError(400, "Bad Request", "This fake tenant only produces format \"json\" exports (csv is Auth0's default: send \"format\":\"json\").", "invalid_body"));
        }

        string? connectionId = null;
        if (body["connection_id"] is JsonNode connNode)
        {
            if (connNode is not JsonValue cv || !cv.TryGetValue(out connectionId) || connectionId.Length == 0)
            {
                return Invalid(call, "'Expected type string' on property connection_id (connection_id of the connection from which users will be exported.).");
            }
        }

        List<string>? fields = null;
        JsonArray? fieldsJson = null;
        if (body["fields"] is JsonNode fieldsNode)
        {
            if (fieldsNode is not JsonArray array)
            {
                return Invalid(call, "'Expected type array' on property fields (List of fields to be included in the CSV. Defaults to a predefined set of fields.).");
            }

            fields = [];
            foreach (var item in array)
            {
                if (item is not JsonObject field || field["name"] is not JsonValue nv || !nv.TryGetValue(out string? name) || name.Length == 0)
                {
                    return Invalid(call, "'Missing required property: name' on property fields.");
                }

                fields.Add(name);
            }

            fieldsJson = (JsonArray)array.DeepClone();
        }

        var job = new ExportJob(
            "job_" + RandomNumberGenerator.GetString(Alphanumeric, 16),
            Options.Time.GetUtcNow(),
            connectionId,
            fieldsJson,
            Projection.Only(fields is { Count: > 0 } ? fields : DefaultExportFields));
        _exportJobs[job.Id] = job;
        Interlocked.Increment(ref _exportJobCount);
        return call.Reply(201, JobJson(job, "pending", location: null));
    }

    /// <summary>
    /// Without <c>fields</c> Auth0 exports "a predefined set of fields" (its docs name none). Inferred here as a
    /// few identity fields without <c>updated_at</c>, so that a client relying on the default is caught.
    /// </summary>
    private static readonly string[] DefaultExportFields = ["user_id", "email", "name", "nickname", "picture", "created_at"];

    private ResponseMessage GetJob(ApiCall call, string jobId)
    {
        if (!RequireScope(call, out var error, "read:users", "create:users"))
        {
            return error;
        }

        Interlocked.Increment(ref _exportJobPolls);

        // Inferred wording (Auth0 answers 404 for an unknown job id).
        if (!_exportJobs.TryGetValue(jobId, out var job))
        {
            return call.Reply(404, Http.ApiError(404, "Not Found", "The job does not exist.", "inexistent_job"));
        }

        var now = Options.Time.GetUtcNow();
        lock (job)
        {
            job.Polls++;
            var running = now - job.CreatedAt;
            if (job.FileName is null && job.Polls > Options.ExportJobPolls && running >= Options.ExportJobDuration)
            {
                // The export is cut now, from the current users (not the lagging search index).
                string name = RandomNumberGenerator.GetString(Alphanumeric, 24) + ".json.gz";
                var file = new ExportFile(Volatile.Read(ref _users), job.Projection);
                _exportFiles[name] = file;
                job.FileName = name;

                // Build it in the background (about 1-2 s for 100,000 users), so the download rarely waits.
                _ = Task.Run(() => file.Content);
            }

            if (job.FileName is not null)
            {
                return call.Reply(200, JobJson(job, "completed", SignLink(job.FileName, now), progress: null));
            }

            var total = Options.ExportJobDuration;
            var left = total > running ? total - running : TimeSpan.Zero;
            var percent = total > TimeSpan.Zero ? (int)Math.Min(99, 100 * running.Ticks / total.Ticks) : 0;
            return call.Reply(200, JobJson(job, job.Polls == 1 ? "pending" : "processing", location: null, (percent, (int)Math.Ceiling(left.TotalSeconds))));
        }
    }

    /// <summary>A CloudFront-style signed link to the file (the query is the credential), valid for <see cref="FakeTenantOptions.ExportLinkLifetime"/> from now.</summary>
    private string SignLink(string fileName, DateTimeOffset now)
    {
        var expired = Interlocked.Increment(ref _exportLinksSigned) <= Options.ExpiredExportLinks;
        var expires = expired ? now - TimeSpan.FromSeconds(1) : now + Options.ExportLinkLifetime;
        var signature = RandomNumberGenerator.GetString(Alphanumeric, 40);
        _exportLinks[signature] = (fileName, expires.UtcTicks);
        return $"{BaseUrl}{ExportsPathPrefix}{fileName}?Expires={expires.ToUnixTimeSeconds()}&Key-Pair-Id=K2JCJMDEHXQW5F&Signature={signature}";
    }

    private static JsonObject JobJson(ExportJob job, string status, string? location, (int Percent, int SecondsLeft)? progress = null)
    {
        var json = new JsonObject
        {
            ["type"] = "users_export",
            ["status"] = status,
            ["connection_id"] = job.ConnectionId,
            ["format"] = "json",
        };
        if (job.Fields is not null)
        {
            json["fields"] = job.Fields.DeepClone();
        }

        if (location is not null)
        {
            json["location"] = location;
        }

        if (progress is { } p)
        {
            json["percentage_done"] = p.Percent;
            json["time_left_seconds"] = p.SecondsLeft;
        }

        json["created_at"] = TenantData.FormatTimestamp(job.CreatedAt.UtcTicks);
        json["id"] = job.Id;
        return json;
    }

    /// <summary><c>GET /exports/{name}</c>: the file, as an S3 pre-signed URL serves it.</summary>
    private ResponseMessage HandleExportDownload(IRequestMessage req)
    {
        // A pre-signed URL carries its own auth: S3 refuses a second mechanism.
        if (Http.Header(req, "Authorization") is not null)
        {
            return Http.Json(400, Http.ApiError(400, "Bad Request", "Only one auth mechanism allowed"));
        }

        string name = req.Path.Length > ExportsPathPrefix.Length ? req.Path[ExportsPathPrefix.Length..] : string.Empty;
        if (!_exportFiles.TryGetValue(name, out var file))
        {
            return S3Error(404, "NoSuchKey", "The specified key does not exist.");
        }

        if (req.Query is null || !req.Query.TryGetValue("Signature", out var signature) || signature.Count != 1
            || !_exportLinks.TryGetValue(signature[0], out var link) || link.File != name)
        {
            return S3Error(403, "AccessDenied", "Invalid signature");
        }

        if (Options.Time.GetUtcNow().UtcTicks >= link.ExpiresAtTicks)
        {
            return S3Error(403, "AccessDenied", "Request has expired");
        }

        return new ResponseMessage
        {
            StatusCode = 200,
            Headers = new Dictionary<string, WireMockList<string>>(StringComparer.OrdinalIgnoreCase)
            {
                ["Content-Type"] = new WireMockList<string>("application/gzip"),
            },
            BodyData = new BodyData { BodyAsBytes = file.Content, DetectedBodyType = BodyType.Bytes },
            // The connection breaks off in the middle of the file.
            FaultType = Options.ExportDownloadBreaks ? FaultType.MALFORMED_RESPONSE_CHUNK : FaultType.NONE,
        };
    }

    private static ResponseMessage S3Error(int status, string code, string message) => new()
    {
        StatusCode = status,
        Headers = new Dictionary<string, WireMockList<string>>(StringComparer.OrdinalIgnoreCase)
        {
            ["Content-Type"] = new WireMockList<string>("application/xml"),
        },
        BodyData = new BodyData
        {
            BodyAsString = $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{RandomNumberGenerator.GetHexString(16)}</RequestId></Error>",
            DetectedBodyType = BodyType.String,
            Encoding = Encoding.UTF8,
        },
    };

    private sealed class ExportJob(string id, DateTimeOffset createdAt, string? connectionId, JsonArray? fields, Projection projection)
    {
        public string Id { get; } = id;

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public string? ConnectionId { get; } = connectionId;

        public JsonArray? Fields { get; } = fields;

        public Projection Projection { get; } = projection;

        /// <summary>Guarded by locking the job.</summary>
        public int Polls { get; set; }

        /// <summary>Set when the job completes. Guarded by locking the job.</summary>
        public string? FileName { get; set; }
    }

    /// <summary>One export's gzipped NDJSON, built on first download from the users as they were at completion.</summary>
    private sealed class ExportFile(UserIndex users, Projection projection)
    {
        private readonly Lazy<byte[]> _content = new(() => Build(users, projection), LazyThreadSafetyMode.ExecutionAndPublication);

        public byte[] Content => _content.Value;

        /// <summary>One user per line, ordered by user_id, each written exactly as the search writes it.</summary>
        /// <remarks>
        /// Records go to a buffer that is handed to gzip in large chunks: <c>Utf8JsonWriter.Flush</c> on a stream would
        /// flush gzip after every record, which triples the file and the time.
        /// </remarks>
        private static byte[] Build(UserIndex users, Projection projection)
        {
            using var output = new MemoryStream();
            using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
            {
                var buffer = new ArrayBufferWriter<byte>(1 << 17);
                using var writer = new Utf8JsonWriter(buffer, Http.WriterOptions);
                foreach (var entry in users.ById)
                {
                    entry.Record.Write(writer, projection);
                    writer.Flush();
                    writer.Reset();
                    buffer.GetSpan(1)[0] = (byte)'\n';
                    buffer.Advance(1);
                    if (buffer.WrittenCount >= 1 << 16)
                    {
                        gzip.Write(buffer.WrittenSpan);
                        buffer.ResetWrittenCount();
                    }
                }

                gzip.Write(buffer.WrittenSpan);
            }

            return output.ToArray();
        }
    }
}
