using System.CommandLine;
using System.Text.Json;
using Auth0Connector.Configuration;
using Auth0Connector.Foundation;
using Auth0Connector.Http;
using Auth0Connector.Protocol;

namespace Auth0Connector.Cli;

/// <summary>The <c>auth0-connector</c> command line: spec, check, discover and read (Airbyte protocol).</summary>
internal static class ConnectorApp
{
    /// <summary>The exit code of a command line that could not be understood.</summary>
    public const int UsageError = 2;

    /// <summary>What stderr says when stdout's reader went away (stdout itself is gone).</summary>
    internal const string OutputClosedNotice = "auth0-connector: stdout was closed by its reader (broken pipe); stopped without reading further.";

    public static async Task<int> RunAsync(string[] args, ConnectorEnvironment environment, CancellationToken cancellationToken = default)
    {
        var redactor = new Redactor();
        // Cancelled by the caller, or by the writer when stdout fails: every command observes it.
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var messages = new MessageWriter(environment.Stdout, environment.Time, redactor, run);
        UnhandledExceptionEventHandler lastResort = (_, e) => Crash(messages, environment, e.ExceptionObject);
        AppDomain.CurrentDomain.UnhandledException += lastResort;
        try
        {
            var exitCode = await RunCommandAsync(args, environment, messages, redactor, run.Token);
            messages.Flush();
            return exitCode;
        }
        catch (Exception) when (messages.OutputClosed)
        {
            await environment.Stderr.WriteLineAsync(OutputClosedNotice);
            return 1;
        }
        finally
        {
            AppDomain.CurrentDomain.UnhandledException -= lastResort;
        }
    }

    /// <summary>
    /// An exception no await observed (a thread of a library, say): reported as a system_error and
    /// exit 1 instead of the runtime's abort.
    /// </summary>
    private static void Crash(MessageWriter messages, ConnectorEnvironment environment, object exception)
    {
        try
        {
            var error = exception as Exception;
            messages.Error(FailureType.SystemError, $"Unexpected error: {error?.Message ?? exception.ToString()}", error?.GetType().FullName, stackTrace: error?.ToString());
            messages.Flush();
        }
        catch (Exception)
        {
            environment.Stderr.WriteLine(messages.OutputClosed ? OutputClosedNotice : "auth0-connector: unexpected error; the report could not be written.");
        }

        Environment.Exit(1);
    }

    /// <summary>
    /// A usage mistake is for the person typing: the problem and the command's usage on stderr,
    /// nothing on stdout (it is no protocol exchange), exit 2.
    /// </summary>
    private static async Task<int> UsageErrorAsync(RootCommand root, ParseResult parseResult, TextWriter stderr, CancellationToken cancellationToken)
    {
        await stderr.WriteLineAsync($"error: {string.Join(" ", parseResult.Errors.Select(e => e.Message))}");
        await stderr.WriteLineAsync();
        var command = parseResult.CommandResult.Command;
        string[] help = command == root ? ["--help"] : [command.Name, "--help"];
        await root.Parse(help).InvokeAsync(new InvocationConfiguration { Output = stderr, Error = stderr }, cancellationToken);
        return UsageError;
    }

    private static async Task<int> RunCommandAsync(string[] args, ConnectorEnvironment environment, MessageWriter messages, Redactor redactor, CancellationToken cancellationToken)
    {
        var configOption = new Option<string>("--config") { Description = "Path to the connector config JSON, or - to read it from standard input.", Required = true, HelpName = "FILE" };
        var catalogOption = new Option<string>("--catalog") { Description = "Path to the configured catalog JSON. Without it (and without --streams) every stream is read, incrementally where it can be.", HelpName = "FILE" };
        var streamsOption = new Option<string>("--streams") { Description = "Read only these streams (comma-separated, e.g. users,clients) without writing a catalog; incrementally where they can be.", HelpName = "NAMES" };
        var stateOption = new Option<string>("--state") { Description = "Path to the state JSON of the previous sync.", HelpName = "FILE" };
        var quietOption = new Option<bool>("--quiet") { Description = "No progress display and no summary on stderr (stdout is unchanged)." };
        var debugOption = new Option<bool>("--debug") { Description = "Log every HTTP request (method, path, status, time, remaining rate limit; never tokens) to stderr.", Recursive = true };

        var spec = new Command("spec", "Print the connector's specification (a SPEC message).");
        spec.SetAction(_ => SpecCommand.Run(messages));

        var check = new Command("check", "Verify the credentials and the tenant (a CONNECTION_STATUS message).") { configOption };
        check.SetAction((parse, token) => CheckCommand.RunAsync(
            parse.GetValue(configOption)!, Context(parse.GetValue(debugOption)), token));

        var discover = new Command("discover", "Print the streams and their schemas (a CATALOG message).") { configOption };
        discover.SetAction(parse => DiscoverCommand.Run(parse.GetValue(configOption)!, Context(parse.GetValue(debugOption))));

        var read = new Command("read", "Read the catalog's streams: RECORD, STATE and TRACE messages.") { configOption, catalogOption, streamsOption, stateOption, quietOption };
        read.Validators.Add(result =>
        {
            if (result.GetResult(catalogOption) is not null && result.GetResult(streamsOption) is not null)
            {
                result.AddError("Use either --catalog or --streams, not both.");
            }
        });
        read.SetAction((parse, token) => ReadCommand.RunAsync(
            parse.GetValue(configOption)!,
            new ReadCommand.Selection(parse.GetValue(catalogOption), parse.GetValue(streamsOption)),
            parse.GetValue(stateOption),
            Context(parse.GetValue(debugOption)) with { Quiet = parse.GetValue(quietOption) },
            token));

        var root = new RootCommand("Auth0 source connector for the Airbyte protocol: reads clients, organizations, their members and member roles, and users from an Auth0 tenant's Management API.")
        {
            spec, check, discover, read,
        };
        root.Options.Add(debugOption);
        foreach (var command in root.Subcommands)
        {
            // --version works after any command too, as orchestrators and users try both.
            command.Options.Add(new VersionOption());
        }

        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            return await UsageErrorAsync(root, parseResult, environment.Stderr, cancellationToken);
        }

        using var output = new StreamWriter(environment.Stdout, leaveOpen: true) { AutoFlush = true };
        var invocation = new InvocationConfiguration { Output = output, Error = environment.Stderr, EnableDefaultExceptionHandler = false };
        try
        {
            return await parseResult.InvokeAsync(invocation, cancellationToken);
        }
        catch (ConfigException e)
        {
            messages.Error(FailureType.ConfigError, e.Message);
            return 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            messages.Error(FailureType.TransientError, "The connector was stopped before it finished.");
            return 1;
        }
        catch (Exception e)
        {
            messages.Error(FailureType.SystemError, $"Unexpected error: {e.Message}", e.GetType().FullName, stackTrace: e.ToString());
            return 1;
        }

        CommandContext Context(bool debug) => new(messages, new DiagnosticLog(environment.Stderr, debug, redactor), redactor, environment);
    }
}

/// <summary>What every command shares: the message writer, diagnostics and the environment.</summary>
internal sealed record CommandContext(MessageWriter Messages, DiagnosticLog Log, Redactor Redactor, ConnectorEnvironment Environment)
{
    /// <summary><c>--quiet</c>: no progress display or summary on stderr.</summary>
    public bool Quiet { get; init; }

    /// <summary>Loads the config and registers its secrets with the redactor before anything can print them.</summary>
    public ConnectorConfig LoadConfig(string path)
    {
        // "--config -": the config is piped in (so it never touches the disk).
        using var document = path == "-" ? JsonInput.ReadStream(Environment.Stdin(), "config") : JsonInput.ReadFile(path, "config");
        // The secrets are known to the redactor before anything is validated: an error about any
        // field (a secret pasted into start_date, say) cannot print them.
        RegisterSecrets(document.RootElement);

        // Unknown keys first: a typo is often why a required setting then looks missing.
        foreach (var warning in ConfigKeyCheck.Warnings(document.RootElement))
        {
            Messages.Log(LogLevel.Warn, warning);
        }

        return ConnectorConfig.Parse(document.RootElement);
    }

    private void RegisterSecrets(JsonElement config)
    {
        if (config.ValueKind != JsonValueKind.Object || !config.TryGetProperty("credentials", out var credentials))
        {
            return;
        }

        // As written and as used (the config trims values).
        var secret = credentials.StringProperty("client_secret");
        if (credentials.StringProperty("client_id") is { } clientId && secret is not null)
        {
            Redactor.AddClientCredentials(clientId.Trim(), secret.Trim());
        }

        foreach (var value in (string?[])[secret, credentials.StringProperty("access_token")])
        {
            Redactor.Add(value);
            Redactor.Add(value?.Trim());
        }
    }
}
