using System.Diagnostics;

namespace Safeguard.Stream.IntegrationTests.Infrastructure;

/// <summary>Debian's kcat: an independent Kafka client (not librdkafka-through-.NET) to read back what the worker produced.</summary>
internal static class Kcat
{
    public static async Task<IReadOnlyList<string>> ConsumeAllAsync(string bootstrap, string topic, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("kcat")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-b", bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%s\\n" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("kcat could not be started; run `make setup`");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"kcat exited {process.ExitCode}: {await stderr}");
        }

        return [.. (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }
}
