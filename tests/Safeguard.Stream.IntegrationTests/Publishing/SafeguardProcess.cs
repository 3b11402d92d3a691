using System.Diagnostics;
using Safeguard.Stream.Fakes;
using Safeguard.Stream.IntegrationTests.Infrastructure;

namespace Safeguard.Stream.IntegrationTests.Publishing;

/// <summary>
/// The built <c>safeguard</c> CLI (safeguard.dll beside these tests, since this project references the Worker) run as a
/// child process, configured only through the environment, as an operator runs it.
/// </summary>
internal static class SafeguardProcess
{
    /// <summary>Settings as environment variables (<c>Safeguard:Kafka:Topic</c> → <c>Safeguard__Kafka__Topic</c>).</summary>
    public static Dictionary<string, string> Environment(IReadOnlyDictionary<string, string?> settings) =>
        settings.Where(s => s.Value is not null).ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!, StringComparer.Ordinal);

    public static Process Start(IEnumerable<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "safeguard.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet safeguard.dll");
    }

    /// <summary>Runs to the end (bounded) and returns the exit code and output.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var result = await ProcessRunner.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "safeguard.dll"), .. args],
            new ProcessRunOptions { WorkingDirectory = AppContext.BaseDirectory, Environment = environment }, TimeSpan.FromSeconds(90), cancellationToken);
        return (result.ExitCode, result.StandardOutput, result.StandardError);
    }

    /// <summary>A copy of one policy file in a directory of its own, so a test's expected verdicts do not change as policies/ grows.</summary>
    public static string PolicyDirectory(string policyFile)
    {
        var directory = Directory.CreateTempSubdirectory("policies").FullName;
        File.Copy(Path.Combine(LocalServicesFixture.PoliciesPath, policyFile), Path.Combine(directory, policyFile));
        return directory;
    }
}
