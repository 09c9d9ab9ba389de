using System.Text.Json;
using Auth0Connector.Protocol;
using Auth0Connector.Streams;

namespace Auth0Connector.Tests.Streams;

/// <summary>README's stream table is the registry's: a stream added, renamed or rescoped in one and not the other fails here.</summary>
public class StreamRegistryTests
{
    private static List<string[]> ReadmeStreamRows()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "README.md")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        var lines = File.ReadAllLines(Path.Combine(dir.FullName, "README.md"));
        var start = Array.IndexOf(lines, "## Streams");
        Assert.True(start >= 0, "README has no '## Streams' section");
        return [.. lines.Skip(start + 1).SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|')).Skip(2)
            .Select(l => l.Trim('|').Split('|').Select(c => c.Trim()).ToArray())];
    }

    private static string Code(string cell) => cell.Split('`', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(p => p.Trim().Length > 0 && !p.Contains(',', StringComparison.Ordinal)) ?? string.Empty;

    private static string[] Codes(string cell) => [.. cell.Split(',').Select(c => c.Trim().Trim('`'))];

    [Fact]
    public void ExampleCatalog_SelectsEveryRegistryStream_IncrementalWhereSupported()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "examples", "catalog.json")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        var catalog = Auth0Connector.Cli.ConfiguredCatalog.Load(Path.Combine(dir.FullName, "examples", "catalog.json"), new StreamRegistry());
        var registry = new StreamRegistry().All;

        Assert.Equal(registry.Select(s => s.Name), catalog.Select(c => c.Stream.Name));
        Assert.All(catalog, c => Assert.Equal(c.Stream.CursorField is null ? SyncMode.FullRefresh : SyncMode.Incremental, c.Mode));
    }

    [Fact]
    public void ReadmeStreamTable_MatchesTheRegistry()
    {
        var rows = ReadmeStreamRows();
        var registry = new StreamRegistry().All;

        Assert.Equal(registry.Select(s => s.Name), rows.Select(r => Code(r[0])));
        foreach (var (stream, row) in registry.Zip(rows))
        {
            Assert.Equal(stream.CursorField is null ? "full refresh" : "full refresh, incremental", row[1]);
            Assert.Equal(stream.PrimaryKey, Codes(row[2]));
            Assert.Equal(stream.CursorField ?? "–", stream.CursorField is null ? row[3] : Code(row[3]));
            Assert.StartsWith($"`{stream.Endpoint}`", row[4], StringComparison.Ordinal);
            Assert.StartsWith(string.Join(", ", stream.RequiredScopes.Select(s => $"`{s}`")), row[5], StringComparison.Ordinal);
        }
    }

    /// <summary>Airbyte's tests for certified connectors require a primary key on every stream; each key field is declared and never null.</summary>
    [Fact]
    public void Registry_EveryStream_HasANonEmptyPrimaryKeyDeclaredNonNullInItsSchema()
    {
        foreach (var stream in new StreamRegistry().All)
        {
            Assert.True(stream.PrimaryKey.Count > 0, $"{stream.Name} has no primary key");
            using var schema = JsonDocument.Parse(EmbeddedSchemas.Read(stream.Name));
            foreach (var key in stream.PrimaryKey)
            {
                Assert.True(schema.RootElement.GetProperty("properties").TryGetProperty(key, out var field), $"{stream.Name}: key field '{key}' is not declared");
                var type = field.GetProperty("type");
                var types = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()).ToArray() : [type.GetString()];
                Assert.DoesNotContain("null", types);
            }
        }
    }
}
