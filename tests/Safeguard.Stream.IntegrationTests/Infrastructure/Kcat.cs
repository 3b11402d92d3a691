using Safeguard.Stream.Fakes;

namespace Safeguard.Stream.IntegrationTests.Infrastructure;

/// <summary>Debian's kcat: an independent Kafka client (not librdkafka-through-.NET) to read back what the worker produced.</summary>
internal static class Kcat
{
    public static async Task<IReadOnlyList<string>> ConsumeAllAsync(string bootstrap, string topic, CancellationToken cancellationToken)
    {
        ProcessResult result;
        try
        {
            result = await ProcessRunner.RunAsync("kcat", ["-b", bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%s\\n"],
                TimeSpan.FromSeconds(60), cancellationToken);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("kcat could not be started; run `make setup`", ex);
        }

        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"kcat exited {result.ExitCode}: {result.StandardError}");
        }

        return [.. result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }
}
