using System.Text;
using System.Text.Json;
using Auth0Connector.Cli;
using Microsoft.Extensions.DependencyInjection;

namespace Auth0Connector.Tests.Support;

/// <summary>The outcome of one in-process run of the connector's command line.</summary>
internal sealed class ConnectorRun
{
    public required int ExitCode { get; init; }

    public required IReadOnlyList<string> Lines { get; init; }

    public required string Stderr { get; init; }

    public IEnumerable<JsonElement> Messages => Lines.Select(l => JsonDocument.Parse(l).RootElement);

    public IEnumerable<JsonElement> OfType(string type) => Messages.Where(m => m.GetProperty("type").GetString() == type);

    public IEnumerable<JsonElement> Records(string stream) =>
        OfType("RECORD").Select(m => m.GetProperty("record")).Where(r => r.GetProperty("stream").GetString() == stream).Select(r => r.GetProperty("data"));

    public IEnumerable<JsonElement> States(string stream) =>
        OfType("STATE").Select(m => m.GetProperty("state")).Where(s => s.GetProperty("stream").GetProperty("stream_descriptor").GetProperty("name").GetString() == stream);

    public IEnumerable<string> Statuses(string stream) =>
        OfType("TRACE").Select(m => m.GetProperty("trace")).Where(t => t.GetProperty("type").GetString() == "STREAM_STATUS")
            .Select(t => t.GetProperty("stream_status")).Where(s => s.GetProperty("stream_descriptor").GetProperty("name").GetString() == stream)
            .Select(s => s.GetProperty("status").GetString()!);

    public IEnumerable<JsonElement> Errors =>
        OfType("TRACE").Select(m => m.GetProperty("trace")).Where(t => t.GetProperty("type").GetString() == "ERROR").Select(t => t.GetProperty("error"));

    /// <summary>The messages of the WARN logs, in order.</summary>
    public IEnumerable<string> Warnings =>
        OfType("LOG").Select(l => l.GetProperty("log")).Where(l => l.GetProperty("level").GetString() == "WARN").Select(l => l.GetProperty("message").GetString()!);

    public JsonElement ConnectionStatus => OfType("CONNECTION_STATUS").Single().GetProperty("connectionStatus");

    /// <summary>Runs the command line in-process and checks every stdout line is a valid protocol message.</summary>
    public static async Task<ConnectorRun> InvokeAsync(string[] args, TimeProvider? time = null, Action<IServiceCollection>? services = null, bool validate = true, string? stdin = null)
    {
        using var stdout = new MemoryStream();
        using var stderr = new StringWriter();
        var exitCode = await ConnectorApp.RunAsync(args, new ConnectorEnvironment
        {
            Stdout = stdout,
            Stderr = stderr,
            Time = time ?? TimeProvider.System,
            CustomizeServices = services,
            Stdin = () => new MemoryStream(Encoding.UTF8.GetBytes(stdin ?? string.Empty)),
        });
        var lines = Encoding.UTF8.GetString(stdout.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var run = new ConnectorRun { ExitCode = exitCode, Lines = lines, Stderr = stderr.ToString() };
        if (validate)
        {
            run.AssertAllLinesValid();
        }

        return run;
    }

    /// <summary>The run exited 0 (else the errors and stderr say why) and <paramref name="stream"/> ran to COMPLETE.</summary>
    public void AssertComplete(string stream)
    {
        Assert.True(ExitCode == 0, string.Join("\n", Errors.Select(e => e.GetRawText())) + Stderr);
        Assert.Equal(["STARTED", "RUNNING", "COMPLETE"], Statuses(stream));
    }

    /// <summary>
    /// Validates every non-RECORD line, and RECORD lines in full up to 500 then every 25th: records
    /// all come from one writer path, and schema-validating tens of thousands of them would make
    /// the suite minutes slower without testing anything new.
    /// </summary>
    public void AssertAllLinesValid()
    {
        var records = 0;
        foreach (var line in Lines)
        {
            if (line.StartsWith("{\"type\":\"RECORD\"", StringComparison.Ordinal) && ++records > 500 && records % 25 != 0)
            {
                continue;
            }

            var problems = ProtocolSchema.Problems(line);
            Assert.True(problems.Count == 0, $"Invalid protocol message: {string.Join("; ", problems)}\n{(line.Length > 500 ? line[..500] : line)}");
        }
    }

    /// <summary>Asserts no stdout line and no stderr text contains any of <paramref name="secrets"/>.</summary>
    public void AssertNoSecrets(params string[] secrets)
    {
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(Lines, l => l.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(secret, Stderr, StringComparison.Ordinal);
        }
    }
}

/// <summary>A temporary folder for config, catalog and state files.</summary>
internal sealed class TempFiles : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("auth0-connector-tests-").FullName;

    public string Write(string name, string content)
    {
        var path = Path.Combine(_root, name);
        File.WriteAllText(path, content);
        return path;
    }

    public string WriteJson(string name, object value) => Write(name, value is string s ? s : JsonSerializer.Serialize(value));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
