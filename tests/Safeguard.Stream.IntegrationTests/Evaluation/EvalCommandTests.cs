using System.Text.Json;
using Safeguard.Stream.Fakes;
using Safeguard.Stream.IntegrationTests.Infrastructure;

namespace Safeguard.Stream.IntegrationTests.Evaluation;

/// <summary><c>safeguard eval</c> as a user runs it: the built CLI, the shipped data and policies, the simulator on loopback.</summary>
[Collection(EvalRunFixture.Collection)]
public sealed class EvalCommandTests(EvalRunFixture run) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("eval-test").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Eval_ClueBotSetWithSimulator_WritesAllFourOutputs()
    {
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        foreach (var file in new[] { "predictions.jsonl", "metrics.json", "thresholds.json", "report.html" })
        {
            Assert.True(new FileInfo(Path.Combine(run.Output, file)).Length > 0, file);
        }

        var predictions = File.ReadAllLines(Path.Combine(run.Output, "predictions.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(315, predictions.Count);
        Assert.Equal(28, predictions.Count(p => p.GetProperty("truth").GetBoolean()));
        // The pre-screen skips what cannot violate the policy (formatting-only edits): a status and a reason, never a verdict.
        var skipped = predictions.Where(p => p.GetProperty("status").GetString() == "skipped").ToList();
        var scored = predictions.Where(p => p.GetProperty("status").GetString() == "ok").ToList();
        Assert.Equal(predictions.Count, skipped.Count + scored.Count);
        Assert.NotEmpty(skipped);
        Assert.All(skipped, p => Assert.Equal("formatting_only", p.GetProperty("skip_reason").GetString()));
        Assert.All(skipped, p => Assert.Equal(JsonValueKind.Null, p.GetProperty("verdict").ValueKind));
        Assert.All(skipped, p => Assert.False(p.GetProperty("truth").GetBoolean()));
        Assert.All(scored, p => Assert.StartsWith("[simulated]", p.GetProperty("rationale").GetString(), StringComparison.Ordinal));
        Assert.All(scored, p => Assert.InRange(p.GetProperty("probability").GetDouble(), 0, 1));

        var metrics = run.Metrics();
        var overall = metrics.GetProperty("overall");
        Assert.Equal(315, overall.GetProperty("records").GetInt32());
        Assert.Equal(0, overall.GetProperty("errors").GetInt32());
        Assert.Equal(28, overall.GetProperty("positives").GetInt32());
        Assert.Equal(287, overall.GetProperty("negatives").GetInt32());
        var tp = overall.GetProperty("true_positives").GetInt32();
        var fp = overall.GetProperty("false_positives").GetInt32();
        Assert.Equal(scored.Count(p => p.GetProperty("truth").GetBoolean() && p.GetProperty("verdict").GetBoolean()), tp);
        Assert.Equal(scored.Count(p => !p.GetProperty("truth").GetBoolean() && p.GetProperty("verdict").GetBoolean()), fp);
        var prescreen = metrics.GetProperty("pre_screen");
        Assert.Equal(skipped.Count, prescreen.GetProperty("skipped").GetInt32());
        Assert.Equal(0, prescreen.GetProperty("positives_skipped").GetInt32());
        if (tp + fp > 0)
        {
            Assert.Equal((double)tp / (tp + fp), overall.GetProperty("precision").GetDouble(), 10);
        }

        Assert.True(metrics.GetProperty("per_language").TryGetProperty("en", out _));
        Assert.True(metrics.GetProperty("latency_ms").GetProperty("p99").GetDouble() >= metrics.GetProperty("latency_ms").GetProperty("p50").GetDouble());
        Assert.True(metrics.GetProperty("tokens").GetProperty("prompt_per_record").GetDouble() > 500);   // the ~600-token policy is the system prompt
        Assert.True(metrics.GetProperty("run").GetProperty("simulated").GetBoolean());

        var thresholds = JsonDocument.Parse(File.ReadAllText(Path.Combine(run.Output, "thresholds.json"))).RootElement.GetProperty("targets");
        Assert.Equal([true, true, false, false], thresholds.EnumerateArray().Select(t => t.GetProperty("measurable").GetBoolean()));
        // Thresholds are set on scores: the skipped records (all negatives) have none.
        Assert.Contains($"{287 - skipped.Count} negatives", thresholds[3].GetProperty("note").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_ClueBotSet_UsesTheLivePromptPathOneRequestPerRecord()
    {
        var requests = run.RunRequests.Select(r => JsonDocument.Parse(r).RootElement).ToList();
        var policyBody = File.ReadAllText(Path.Combine(LocalServicesFixture.PoliciesPath, "vandalism.md"));

        // One request per record the pre-screen kept.
        var kept = File.ReadAllLines(Path.Combine(run.Output, "predictions.jsonl")).Count(l => JsonDocument.Parse(l).RootElement.GetProperty("status").GetString() == "ok");
        Assert.Equal(kept, requests.Count);
        Assert.InRange(requests.Count, 290, 314);
        var first = requests.First(r => r.GetProperty("messages")[1].GetProperty("content").GetString()!.Contains("> Cain Velasquez", StringComparison.Ordinal));
        var instructions = first.GetProperty("messages")[0].GetProperty("content").GetString()!;
        var user = first.GetProperty("messages")[1].GetProperty("content").GetString()!;
        Assert.Equal("developer", first.GetProperty("messages")[0].GetProperty("role").GetString());
        Assert.StartsWith("# Instructions\n\n# Vandalism policy", instructions, StringComparison.Ordinal);
        Assert.Contains(instructions["# Instructions\n\n".Length..].Trim(), policyBody, StringComparison.Ordinal);
        Assert.Contains("wiki: enwiki\nlanguage: en\n", user, StringComparison.Ordinal);
        Assert.Contains("ADDED TEXT", user, StringComparison.Ordinal);
        Assert.Contains("REMOVED TEXT", user, StringComparison.Ordinal);
        Assert.Contains("> Revert as per wikipedia BLP provision", user, StringComparison.Ordinal);
        Assert.Single(requests.Select(r => r.GetProperty("messages")[0].GetProperty("content").GetString()).Distinct());
    }

    [Fact]
    public void Eval_NotATerminal_PrintsPlainProgressLinesWithRateAndEta()
    {
        var progress = run.Stdout.Split('\n').Where(l => l.StartsWith("eval: ", StringComparison.Ordinal) && l.Contains("ETA", StringComparison.Ordinal)).ToList();

        Assert.InRange(progress.Count, 2, 12);
        Assert.Contains(progress, l => l.StartsWith("eval: 315/315 100%", StringComparison.Ordinal));
        Assert.DoesNotContain('\r', run.Stdout);
    }

    [Fact]
    public async Task Eval_BadLinesRepeatAndBaseline_ExcludesLinesAndComparesRuns()
    {
        var ct = TestContext.Current.CancellationToken;
        var good = (await File.ReadAllLinesAsync(EvalRunFixture.ClueBotSet, ct)).Take(12).ToList();
        var dataset = Path.Combine(_directory, "mixed.jsonl");
        await File.WriteAllLinesAsync(dataset, [
            .. good.Take(5),
            "{\"id\": \"x1\", \"wiki\": \"enwiki\"",                                                                                        // line 6: truncated JSON
            good[5].Replace("\"label\": \"constructive\"", "\"label\": \"maybe\"", StringComparison.Ordinal),                            // line 7: unknown label
            """{"id": "x2", "wiki": "enwiki", "lang": "en", "title": "T", "comment": null, "added_text": "x", "removed_text": null}""",  // line 8: no label
            .. good.Skip(6),
        ], ct);
        var first = Path.Combine(_directory, "first");
        var second = Path.Combine(_directory, "second");

        var a = await EvalProcess.SafeguardAsync(["eval", "--dataset", dataset, "--policy", "vandalism", "--out", first], run.Environment(), ct);
        var b = await EvalProcess.SafeguardAsync(
            ["eval", "--dataset", dataset, "--policy", "vandalism", "--out", second, "--repeat", "2", "--limit", "8", "--baseline", first], run.Environment(), ct);

        Assert.True(a.ExitCode == 0, a.Stdout + a.Stderr);
        Assert.True(b.ExitCode == 0, b.Stdout + b.Stderr);
        Assert.Contains("excluded line 6: not valid JSON", a.Stderr, StringComparison.Ordinal);
        Assert.Contains("excluded line 7: unknown label 'maybe'", a.Stderr, StringComparison.Ordinal);
        Assert.Contains("excluded line 8: missing or invalid field label", a.Stderr, StringComparison.Ordinal);

        var firstMetrics = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(first, "metrics.json"), ct)).RootElement;
        Assert.Equal(11, firstMetrics.GetProperty("overall").GetProperty("records").GetInt32());
        Assert.Equal([6, 7, 8], firstMetrics.GetProperty("dataset").GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("line").GetInt32()));

        var secondMetrics = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(second, "metrics.json"), ct)).RootElement;
        Assert.Equal(8, secondMetrics.GetProperty("overall").GetProperty("records").GetInt32());
        Assert.Equal(16, (await File.ReadAllLinesAsync(Path.Combine(second, "predictions.jsonl"), ct)).Length);
        var agreement = secondMetrics.GetProperty("agreement");
        Assert.Equal(2, agreement.GetProperty("repeats").GetInt32());
        Assert.Equal(8, agreement.GetProperty("records").GetInt32());
        Assert.Equal(1.0, agreement.GetProperty("identical_fraction").GetDouble());   // the simulator is deterministic
        Assert.Equal(first, secondMetrics.GetProperty("baseline").GetProperty("directory").GetString());
        var report = await File.ReadAllTextAsync(Path.Combine(second, "report.html"), ct);
        Assert.Contains("<th>baseline</th>", report, StringComparison.Ordinal);
        Assert.Contains("id=\"baseline-latency-histogram\"", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_PolicyRoleSystemWithDeveloperBaseline_RecordsEachRunsRoleSideBySide()
    {
        var ct = TestContext.Current.CancellationToken;
        var developer = Path.Combine(_directory, "developer");
        var system = Path.Combine(_directory, "system");

        var a = await EvalProcess.SafeguardAsync(["eval", "--dataset", EvalRunFixture.ClueBotSet, "--policy", "vandalism", "--limit", "6", "--out", developer], run.Environment(), ct);
        var b = await EvalProcess.SafeguardAsync(
            ["eval", "--dataset", EvalRunFixture.ClueBotSet, "--policy", "vandalism", "--limit", "6", "--out", system, "--policy-role", "system", "--baseline", developer], run.Environment(), ct);

        Assert.True(a.ExitCode == 0 && b.ExitCode == 0, a.Stdout + a.Stderr + b.Stdout + b.Stderr);
        Assert.Contains("policy role system", b.Stdout, StringComparison.Ordinal);
        var first = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(developer, "metrics.json"), ct)).RootElement;
        var second = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(system, "metrics.json"), ct)).RootElement;
        Assert.Equal("developer", first.GetProperty("run").GetProperty("policy_role").GetString());
        Assert.Equal("system", second.GetProperty("run").GetProperty("policy_role").GetString());
        Assert.Contains("policy role system (baseline: developer)", await File.ReadAllTextAsync(Path.Combine(system, "report.html"), ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_Bundle_ComparesBundledWithSeparateOnTheSameRecords()
    {
        var ct = TestContext.Current.CancellationToken;
        var output = Path.Combine(_directory, "bundle");
        await using var simulator = await VllmSimulator.StartAsync(new VllmSimulatorOptions { Latency = TimeSpan.Zero, CaptureRequests = true }, ct: ct);

        var (exit, stdout, stderr) = await EvalProcess.SafeguardAsync(
            ["eval", "--dataset", EvalRunFixture.ClueBotSet, "--policy", "vandalism", "--limit", "12", "--bundle", "--out", output], run.Environment(simulator.BaseUrl), ct);

        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("eval: bundled with", stdout, StringComparison.Ordinal);
        var separate = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "metrics.json"), ct)).RootElement;
        var bundled = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "bundled", "metrics.json"), ct)).RootElement;
        Assert.Equal(separate.GetProperty("overall").GetProperty("records").GetInt32(), bundled.GetProperty("overall").GetProperty("records").GetInt32());
        Assert.Equal(Path.GetFullPath(output), bundled.GetProperty("baseline").GetProperty("directory").GetString());
        var bodies = simulator.CapturedRequests.Select(r => JsonDocument.Parse(r).RootElement.GetProperty("messages")[0].GetProperty("content").GetString()!).ToList();
        var bundledBodies = bodies.Where(b => b.Contains("# Policy vandalism", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(bundledBodies);
        // Public policies in scope that the pre-screen keeps (spam drops out where nothing was added); the restricted
        // private-information policy is never in a bundle.
        Assert.Contains(bundledBodies, b => b.Contains("# Policy spam", StringComparison.Ordinal));
        Assert.All(bundledBodies, b => Assert.DoesNotContain("# Policy private-information", b, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Eval_EveryAnswerUnusable_WritesOutputsCountsErrorsAndExits1()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var broken = await VllmSimulator.StartAsync(new VllmSimulatorOptions { Latency = TimeSpan.Zero, MalformedContentRate = 1.0 }, ct: ct);
        var output = Path.Combine(_directory, "errors");

        var (exit, stdout, stderr) = await EvalProcess.SafeguardAsync(
            ["eval", "--dataset", EvalRunFixture.ClueBotSet, "--policy", "vandalism", "--out", output, "--limit", "4"], run.Environment(broken.BaseUrl), ct);

        Assert.True(exit == 1, stdout + stderr);
        Assert.Contains("no classification succeeded", stderr, StringComparison.Ordinal);
        var metrics = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "metrics.json"), ct)).RootElement;
        Assert.Equal(4, metrics.GetProperty("overall").GetProperty("errors").GetInt32());
        Assert.Equal(JsonValueKind.Null, metrics.GetProperty("overall").GetProperty("precision").ValueKind);
        Assert.All(await File.ReadAllLinesAsync(Path.Combine(output, "predictions.jsonl"), ct), l => Assert.Contains("\"error\":\"unparsable_verdict\"", l, StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(output, "report.html")));
        Assert.True(File.Exists(Path.Combine(output, "thresholds.json")));
    }

    [Theory]
    [InlineData("--dataset", new[] { "--policy", "vandalism", "--out", "OUT" })]
    [InlineData("--dataset", new[] { "--dataset", "/nonexistent/set.jsonl", "--policy", "vandalism", "--out", "OUT" })]
    [InlineData("--policy", new[] { "--dataset", "SET", "--policy", "no-such-policy", "--out", "OUT" })]
    [InlineData("--out", new[] { "--dataset", "SET", "--policy", "vandalism" })]
    [InlineData("--limit", new[] { "--dataset", "SET", "--policy", "vandalism", "--out", "OUT", "--limit", "ten" })]
    [InlineData("--repeat", new[] { "--dataset", "SET", "--policy", "vandalism", "--out", "OUT", "--repeat", "0" })]
    [InlineData("--concurrency", new[] { "--dataset", "SET", "--policy", "vandalism", "--out", "OUT", "--concurrency", "-3" })]
    [InlineData("--baseline", new[] { "--dataset", "SET", "--policy", "vandalism", "--out", "OUT", "--baseline", "/nonexistent/run" })]
    [InlineData("--negative-labels", new[] { "--dataset", "SET", "--policy", "vandalism", "--out", "OUT", "--negative-labels", "vandalism" })]
    [InlineData("--policy-role", new[] { "--dataset", "SET", "--policy", "vandalism", "--out", "OUT", "--policy-role", "assistant" })]
    [InlineData("--bogus", new[] { "--dataset", "SET", "--policy", "vandalism", "--out", "OUT", "--bogus" })]
    public async Task Eval_BadUsage_Exits2NamingTheOption(string option, string[] args)
    {
        var output = Path.Combine(_directory, "out");
        var resolved = args.Select(a => a switch { "SET" => EvalRunFixture.ClueBotSet, "OUT" => output, _ => a }).ToList();

        var (exit, stdout, stderr) = await EvalProcess.SafeguardAsync(["eval", .. resolved], run.Environment(), TestContext.Current.CancellationToken);

        Assert.True(exit == 2, $"exit {exit}: {stdout}{stderr}");
        Assert.Contains(option, stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(output, "metrics.json")));
    }
}
