using Safeguard.Stream.Worker.Commands;

namespace Safeguard.Stream.Worker.Tests.Commands;

public sealed class SafeguardCliTests
{
    [Fact]
    public async Task Help_ListsEveryCommandOfTheDesign()
    {
        var (exit, stdout, _) = await CliProcess.RunAsync(["--help"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(0, exit);
        foreach (var command in new[] { "run", "replay", "route", "classify", "eval", "policies", "db", "flagged", "feedback", "tags", "tagger", "loadtest", "review" })
        {
            Assert.Contains($"  {command} ", stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Review_WithoutItsSettings_Exits2NamingTheKey()
    {
        var (exit, _, stderr) = await CliProcess.RunAsync(["review", "--urls", "http://127.0.0.1:0"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.Contains("Safeguard:Review", stderr, StringComparison.Ordinal);
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

    [Theory]
    [InlineData("gate: revertrisk < 0.1", 0, null)]
    [InlineData("gate: revertrisk <= 0.1", 2, "spam.md: error: 'gate': only '<' is supported")]
    [InlineData("gate: ores < 0.1", 2, "spam.md: error: 'gate': unknown signal 'ores'")]
    [InlineData("gate: revertrisk < 2", 2, "spam.md: error: 'gate': the threshold must be a number above 0 and at most 1")]
    public async Task PoliciesLint_Gate_AcceptsTheOneFormAndNamesWhatIsWrongOtherwise(string gate, int expectedExit, string? error)
    {
        var directory = Directory.CreateTempSubdirectory("lint-gate").FullName;
        try
        {
            var spam = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "policies", "spam.md"), TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(
                Path.Combine(directory, "spam.md"), spam.Replace("---\nid: spam\n", "---\nid: spam\n" + gate + "\n", StringComparison.Ordinal), TestContext.Current.CancellationToken);

            var (exit, stdout, stderr) = await CliProcess.RunAsync(["policies", "lint", "--dir", directory], cancellationToken: TestContext.Current.CancellationToken);

            Assert.Equal(expectedExit, exit);
            if (error is null)
            {
                Assert.Contains("1 policies, 0 errors", stdout, StringComparison.Ordinal);
            }
            else
            {
                Assert.Contains(error, stderr, StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
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

public sealed class RouteCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("route").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Route_MalformedEvents_GivesEachAReasonAndExits0()
    {
        var real = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "data", "wikimedia", "events", "page_change.edit.enwiki.schema-1.3.0.json"),
            TestContext.Current.CancellationToken);
        var valid = System.Text.Json.Nodes.JsonNode.Parse(real)!;
        var wrongType = valid.DeepClone();
        wrongType["page"]!["namespace_id"] = "zero";
        var missing = valid.DeepClone();
        missing.AsObject().Remove("wiki_id");
        var oversized = valid.DeepClone();
        oversized["revision"]!["comment"] = new string('x', 5000);
        using var file = new MemoryStream();
        void Line(byte[] bytes)
        {
            file.Write(bytes);
            file.WriteByte((byte)'\n');
        }

        Line("{\"$schema\": \"/mediawiki/page/change/1.3.0\", "u8.ToArray());
        Line(System.Text.Encoding.UTF8.GetBytes(missing.ToJsonString()));
        Line(System.Text.Encoding.UTF8.GetBytes(oversized.ToJsonString()));
        Line(System.Text.Encoding.UTF8.GetBytes(wrongType.ToJsonString()));
        Line([(byte)'{', (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)':', (byte)'1', (byte)'}']);
        Line("\"just a string\""u8.ToArray());
        Line(System.Text.Encoding.UTF8.GetBytes(valid.ToJsonString()));
        var events = Path.Combine(_directory, "bad.jsonl");
        await File.WriteAllBytesAsync(events, file.ToArray(), TestContext.Current.CancellationToken);
        var config = Path.Combine(_directory, "config.json");
        await File.WriteAllTextAsync(config, """{"Safeguard":{"Source":{"MaxEventBytes":4096}}}""", TestContext.Current.CancellationToken);
        var environment = new Dictionary<string, string> { ["Safeguard__Policies__Directory"] = Path.Combine(AppContext.BaseDirectory, "policies") };

        var (exit, stdout, stderr) = await CliProcess.RunAsync(["route", "--events", events, "--config", config], environment, TestContext.Current.CancellationToken);

        Assert.True(exit == 0, stderr);
        var decisions = stdout.Split('\n').Where(l => l.Length > 0 && char.IsAsciiDigit(l.TrimStart()[0])).Select(l => l.Split("  ", StringSplitOptions.RemoveEmptyEntries)[^1].Trim()).ToList();
        Assert.Equal(
            ["dead_letter:malformed_json", "dead_letter:missing_field", "dead_letter:too_large", "dead_letter:invalid_field", "dead_letter:invalid_utf8",
             "dead_letter:invalid_field"],
            decisions.Take(6));
        Assert.StartsWith("classify:", decisions[6], StringComparison.Ordinal);
        Assert.Contains("route: ", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Route_MissingConfigFile_IsBadUsage()
    {
        var events = Path.Combine(AppContext.BaseDirectory, "data", "demo", "events.jsonl");

        var (exit, _, stderr) = await CliProcess.RunAsync(["route", "--events", events, "--config", Path.Combine(_directory, "nope.json")],
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.Contains("--config", stderr, StringComparison.Ordinal);
    }
}
