namespace Safeguard.Stream.Worker.Tests.Commands;

/// <summary>
/// What a command's log looks like: ECS JSON to a pipe at the configured levels, plain lines when asked for, and never
/// HttpClient's per-request lines. The model server is a closed port, so <c>classify</c> logs its retries.
/// </summary>
public sealed class LoggingTests
{
    private static Dictionary<string, string> Environment(params (string Key, string Value)[] extra)
    {
        var environment = new Dictionary<string, string>
        {
            ["Safeguard__Llm__Endpoint"] = "http://127.0.0.1:9/v1",
            ["Safeguard__Llm__RetryBaseDelay"] = "00:00:00.010",
            ["Safeguard__Llm__MaxRetries"] = "1",
            ["SAFEGUARD_LLM_URL"] = "",
        };
        foreach (var (key, value) in extra)
        {
            environment[key] = value;
        }

        return environment;
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> ClassifyAsync(Dictionary<string, string> environment) =>
        CliProcess.RunAsync(["classify", "--policy", "spam", "--text", "Buy cheap watches"], environment, TestContext.Current.CancellationToken);

    [Fact]
    public async Task Piped_LogsEcsJsonAtInformation_WithoutHttpClientRequestLines()
    {
        var (_, _, stderr) = await ClassifyAsync(Environment());

        var logs = stderr.Split('\n').Where(l => l.StartsWith('{')).ToList();
        Assert.Contains(logs, l => l.Contains("\"log.level\":\"info\"", StringComparison.Ordinal) && l.Contains("RetryingRequest", StringComparison.Ordinal));
        Assert.DoesNotContain(logs, l => l.Contains("System.Net.Http.HttpClient", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LoggingSection_AppliesToCommands()
    {
        // The CLI's host builders start without defaults; the Logging section must still be read (regression: it was not).
        var (_, _, stderr) = await ClassifyAsync(Environment(("Logging__LogLevel__Default", "Warning")));

        Assert.DoesNotContain("\"log.level\":\"info\"", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LogFormatText_WritesPlainLines()
    {
        var (_, _, stderr) = await ClassifyAsync(Environment(("Safeguard__Telemetry__LogFormat", "text")));

        Assert.DoesNotContain("\"@timestamp\"", stderr, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\d\d:\d\d:\d\d info: Safeguard\.Stream\.Classification\.Llm\.SafeguardClassifierClient\[3003\] Model request failed", stderr);
    }

    [Fact]
    public async Task LogFormatUnknown_IsAConfigurationErrorNamingTheKey()
    {
        var (exit, _, stderr) = await ClassifyAsync(Environment(("Safeguard__Telemetry__LogFormat", "xml")));

        Assert.Equal(2, exit);
        Assert.Contains("Safeguard:Telemetry:LogFormat must be auto, text or ecs", stderr, StringComparison.Ordinal);
    }
}
