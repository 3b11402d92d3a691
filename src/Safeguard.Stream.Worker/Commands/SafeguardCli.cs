namespace Safeguard.Stream.Worker.Commands;

/// <summary>The <c>safeguard</c> command line. Exit codes: 0 ok, 1 runtime failure, 2 bad usage or configuration.</summary>
internal static class SafeguardCli
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Safeguard.Stream: LLM policy classification of Wikimedia edits (gpt-oss-safeguard via vLLM).");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(ReplayCommand.Create());
        root.Subcommands.Add(RouteCommand.Create());
        root.Subcommands.Add(ClassifyCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(LlmCommand.Create());
        root.Subcommands.Add(LoadTestCommand.Create());
        root.Subcommands.Add(PoliciesCommand.Create());
        root.Subcommands.Add(DbCommand.Create());
        root.Subcommands.Add(FlaggedCommand.Create());
        root.Subcommands.Add(FeedbackCommand.Create());
        root.Subcommands.Add(TaggerCommand.Create());
        root.Subcommands.Add(TagsCommand.Create());
        root.Subcommands.Add(ReviewCommand.Create());
        return root;
    }

    /// <summary>Runs a command body, turning configuration errors into exit code 2 with the key named.</summary>
    public static async Task<int> Guard(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync("configuration error: " + SafeguardHost.Describe(ex));
            return ExitCodes.BadUsage;
        }
        catch (UsageException ex)
        {
            await Console.Error.WriteLineAsync("error: " + ex.Message);
            return ExitCodes.BadUsage;
        }
        catch (LlmMisconfiguredException ex)
        {
            // A deployment mistake, not a crash: the message names the setting, no exception type.
            await Console.Error.WriteLineAsync("error: " + ex.Message);
            return ExitCodes.RuntimeFailure;
        }
        catch (CommandFailedException ex)
        {
            await Console.Error.WriteLineAsync("error: " + ex.Message);
            return ExitCodes.RuntimeFailure;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("cancelled");
            return ExitCodes.RuntimeFailure;
        }
        catch (Exception ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.GetType().Name}: {ex.Message}");
            return ExitCodes.RuntimeFailure;
        }
    }
}

/// <summary>A runtime outcome the user should read, not debug (e.g. a revision the wiki hides): the message alone, exit code 1.</summary>
internal sealed class CommandFailedException(string message) : Exception(message);

/// <summary>A command-line mistake: reported without a stack trace, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
