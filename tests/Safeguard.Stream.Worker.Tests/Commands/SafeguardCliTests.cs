using Safeguard.Stream.Worker.Commands;

namespace Safeguard.Stream.Worker.Tests.Commands;

public sealed class SafeguardCliTests
{
    [Fact]
    public async Task Help_ListsEveryCommandOfTheDesign()
    {
        var (exit, stdout, _) = await CliProcess.RunAsync(["--help"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(0, exit);
        foreach (var command in new[] { "run", "replay", "route", "classify", "eval", "policies", "db", "flagged", "feedback" })
        {
            Assert.Contains($"  {command} ", stdout, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("eval")]
    [InlineData("feedback")]
    public async Task UnfinishedCommand_SaysSoAndExits2(string command)
    {
        var (exit, _, stderr) = await CliProcess.RunAsync([command], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.Contains("not implemented yet", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_MissingFile_IsBadUsage()
    {
        var (exit, _, stderr) = await CliProcess.RunAsync(["replay", "--events", "/nonexistent/events.jsonl"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.Contains("file not found", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_InvalidConfigurationValue_Exits2NamingTheKey()
    {
        var events = Path.Combine(AppContext.BaseDirectory, "data", "demo", "events.jsonl");
        var environment = new Dictionary<string, string>
        {
            ["Safeguard__Llm__MaxConcurrency"] = "0",
            ["Safeguard__Postgres__ConnectionString"] = "Host=127.0.0.1;Port=1;Database=x;Username=x",
            ["Safeguard__Policies__Directory"] = Path.Combine(AppContext.BaseDirectory, "policies"),
        };

        var (exit, _, stderr) = await CliProcess.RunAsync(["replay", "--events", events], environment, TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.Contains("Safeguard:Llm", stderr, StringComparison.Ordinal);
        Assert.Contains("MaxConcurrency", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PoliciesLint_ShippedPolicies_Pass()
    {
        var (exit, stdout, _) = await CliProcess.RunAsync(["policies", "lint", "--dir", Path.Combine(AppContext.BaseDirectory, "policies")],
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(0, exit);
        Assert.Contains("0 errors", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Route_DemoEvents_AccountsForEveryEventWithoutNetwork()
    {
        var events = Path.Combine(AppContext.BaseDirectory, "data", "demo", "events.jsonl");
        var environment = new Dictionary<string, string> { ["Safeguard__Policies__Directory"] = Path.Combine(AppContext.BaseDirectory, "policies") };

        var (exit, stdout, stderr) = await CliProcess.RunAsync(["route", "--events", events], environment, TestContext.Current.CancellationToken);

        Assert.True(exit == 0, stderr);
        var summary = stdout.Split('\n').Single(l => l.StartsWith("route: ", StringComparison.Ordinal));
        var total = summary["route: ".Length..].Split(' ').Sum(part => int.Parse(part.Split('=')[1], System.Globalization.CultureInfo.InvariantCulture));
        var lines = await File.ReadAllLinesAsync(events, TestContext.Current.CancellationToken);
        Assert.Equal(lines.Count(l => l.Trim().Length > 0), total);
        Assert.Contains("dead_letter:malformed_json=1", summary, StringComparison.Ordinal);
        Assert.Contains("skip:canary=", summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("30m", 30)]
    [InlineData("24h", 24 * 60)]
    [InlineData("7d", 7 * 24 * 60)]
    public void ParseDuration_Units(string text, int minutes)
    {
        Assert.Equal(TimeSpan.FromMinutes(minutes), FlaggedCommand.ParseDuration(text));
    }

    [Theory]
    [InlineData("24")]
    [InlineData("h")]
    [InlineData("-1h")]
    [InlineData("1w")]
    public void ParseDuration_Invalid_IsUsageError(string text)
    {
        Assert.Throws<UsageException>(() => FlaggedCommand.ParseDuration(text));
    }
}
