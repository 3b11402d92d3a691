using Safeguard.Stream.Fakes;

namespace Safeguard.Stream.Worker.Tests;

/// <summary>Runs the real <c>safeguard</c> binary built beside the tests, as a user would.</summary>
internal static class CliProcess
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        IEnumerable<string> args, IDictionary<string, string>? environment = null, CancellationToken cancellationToken = default)
    {
        var result = await ProcessRunner.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "safeguard.dll"), .. args], new ProcessRunOptions
        {
            WorkingDirectory = AppContext.BaseDirectory,
            Environment = environment is null ? null : new Dictionary<string, string>(environment),
        }, TimeSpan.FromSeconds(60), cancellationToken);
        return (result.ExitCode, result.StandardOutput, result.StandardError);
    }
}
