using System.Diagnostics;

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
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("SAFEGUARD_LLM_URL");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
