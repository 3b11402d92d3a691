using Safeguard.Stream.Fakes;

namespace Safeguard.Stream.IntegrationTests.Evaluation;

/// <summary>Runs a program to its end, bounded, and returns its exit code and output.</summary>
internal static class EvalProcess
{
    /// <summary>The built <c>safeguard</c> CLI beside these tests, configured only through the environment.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> SafeguardAsync(
        IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken) =>
        RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "safeguard.dll"), .. args], environment, TimeSpan.FromSeconds(120), cancellationToken);

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string program, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = await ProcessRunner.RunAsync(program, args, new ProcessRunOptions
        {
            WorkingDirectory = AppContext.BaseDirectory,
            Environment = environment,
            RemovedEnvironment = ["SAFEGUARD_LLM_URL"],
        }, timeout, cancellationToken);
        return (result.ExitCode, result.StandardOutput, result.StandardError);
    }
}
