using System.Text.RegularExpressions;

namespace Auth0Connector.Tests;

/// <summary>
/// The connector's folders depend in one direction: Foundation (how a server's JSON is read, secrets
/// redacted in any output) at the bottom, then Configuration and Protocol, then Http, Auth and State, then
/// Streams, and Cli on top (the composition root). Namespaces
/// follow folders, and no source file grows past the project's size limit.
/// </summary>
public partial class FolderDependencyTests
{
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["Foundation"] = [],
        ["Configuration"] = ["Foundation"],
        ["Protocol"] = ["Foundation"],
        ["Http"] = ["Foundation"],
        ["State"] = ["Configuration", "Foundation"],
        ["Auth"] = ["Configuration", "Foundation", "Http", "Protocol"],
        ["Streams"] = ["Configuration", "Foundation", "Http", "Protocol"],
        ["Cli"] = ["Auth", "Configuration", "Foundation", "Http", "Protocol", "State", "Streams"],
    };

    private static string SourceRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Auth0Connector.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return Path.Combine(dir.FullName, "src", "Auth0Connector");
    }

    private static IEnumerable<(string Folder, string File, string Text)> Sources() =>
        Directory.EnumerateDirectories(SourceRoot())
            .Select(d => Path.GetFileName(d))
            .Where(Allowed.ContainsKey)
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(SourceRoot(), folder), "*.cs")
                .Select(file => (folder, Path.GetFileName(file), File.ReadAllText(file))));

    [GeneratedRegex(@"\bAuth0Connector\.(Auth|Cli|Configuration|Foundation|Http|Protocol|State|Streams)\b|(?<![\w.])(Auth|Cli|Configuration|Foundation|Http|Protocol|State|Streams)\.[A-Z]\w*")]
    private static partial Regex FolderReference();

    [Fact]
    public void Sources_ReferenceOnlyTheFoldersBelowThem()
    {
        var violations = new List<string>();
        foreach (var (folder, file, text) in Sources())
        {
            foreach (Match match in FolderReference().Matches(text))
            {
                var target = match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value;
                if (target != folder && !Allowed[folder].Contains(target))
                {
                    violations.Add($"{folder}/{file} uses {target} ({match.Value})");
                }
            }
        }

        Assert.Empty(violations.Distinct());
    }

    [Fact]
    public void Sources_NamespaceFollowsTheFolder()
    {
        var wrong = Sources().Where(s => !s.Text.Contains($"namespace Auth0Connector.{s.Folder};", StringComparison.Ordinal)).Select(s => $"{s.Folder}/{s.File}");

        Assert.Empty(wrong);
    }

    [Fact]
    public void Sources_AtMost400Lines()
    {
        var large = Sources().Select(s => (Name: $"{s.Folder}/{s.File}", Lines: s.Text.Split('\n').Length)).Where(s => s.Lines > 400).Select(s => $"{s.Name}: {s.Lines}");

        Assert.Empty(large);
    }
}
