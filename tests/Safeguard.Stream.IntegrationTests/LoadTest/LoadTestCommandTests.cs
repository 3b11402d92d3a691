using System.Text.Json;
using Safeguard.Stream.Classification.Llm;
using Safeguard.Stream.Classification.Policies;
using Safeguard.Stream.Fakes;
using Safeguard.Stream.IntegrationTests.Evaluation;
using Safeguard.Stream.IntegrationTests.Infrastructure;

namespace Safeguard.Stream.IntegrationTests.LoadTest;

/// <summary><c>safeguard loadtest</c> as an operator runs it: the built CLI, the shipped policies, the simulator's capacity model on loopback.</summary>
[Collection(LoadTestRunFixture.Collection)]
public sealed class LoadTestCommandTests(LoadTestRunFixture run) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("loadtest-test").FullName;

    private static int PolicyCount => PolicyCatalog.LoadDirectory(LocalServicesFixture.PoliciesPath).Policies.Count;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void LoadTest_ContinuousBatchingSimulator_KneeAndRecommendationWithin25PercentOfMaxNumSeqs()
    {
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        var sizing = run.Results().GetProperty("sizing");
        var knee = sizing.GetProperty("knee");
        Assert.Equal("plateau", knee.GetProperty("reason").GetString());
        const double tolerance = 0.25 * LoadTestRunFixture.MaxNumSeqs;
        Assert.InRange(knee.GetProperty("concurrency").GetInt32(), LoadTestRunFixture.MaxNumSeqs - tolerance, LoadTestRunFixture.MaxNumSeqs + tolerance);
        Assert.InRange(sizing.GetProperty("recommended_max_concurrency").GetInt32(), LoadTestRunFixture.MaxNumSeqs - tolerance, LoadTestRunFixture.MaxNumSeqs + tolerance);
        Assert.Contains("loadtest: recommended Safeguard:Llm:MaxConcurrency = ", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadTest_ConcurrencySweep_DoublesPastTheLimitAndReportsEveryMeasure()
    {
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        var steps = run.Results().GetProperty("concurrency_steps").EnumerateArray().ToList();
        var levels = steps.Select(s => s.GetProperty("concurrency").GetInt32()).ToList();
        // Doubling up to the first step past the limit (16 gains nothing over 8), then steps between 4 and 8.
        Assert.Equal([1, 2, 4, 8, 16], levels.Take(5));
        Assert.DoesNotContain(32, levels);
        Assert.All(levels.Skip(5), c => Assert.InRange(c, 5, 7));
        foreach (var s in steps)
        {
            Assert.Equal(0, s.GetProperty("errors").GetInt32());
            Assert.True(s.GetProperty("requests").GetInt32() >= 2 * s.GetProperty("concurrency").GetInt32());
            var rps = s.GetProperty("requests_per_second").GetDouble();
            Assert.True(rps > 0);
            Assert.Equal(rps / PolicyCount, s.GetProperty("edits_per_second").GetDouble(), 9);
            Assert.Equal(rps * s.GetProperty("mean_prompt_tokens").GetDouble(), s.GetProperty("prompt_tokens_per_second").GetDouble(), 6);
            Assert.Equal(rps * s.GetProperty("mean_completion_tokens").GetDouble(), s.GetProperty("completion_tokens_per_second").GetDouble(), 6);
            var latency = s.GetProperty("latency_ms");
            Assert.True(latency.GetProperty("p50").GetDouble() <= latency.GetProperty("p95").GetDouble());
            Assert.True(latency.GetProperty("p95").GetDouble() <= latency.GetProperty("p99").GetDouble());
            Assert.Equal(0, s.GetProperty("length_finishes").GetInt32());
        }

        // Once every policy has been sent, its prefix is served from the cache, as in production.
        Assert.True(steps[^1].GetProperty("mean_cached_tokens").GetDouble() > 0);

        // Past the limit the queue grows: doubling 8 → 16 roughly doubles the median latency and adds no throughput.
        var at8 = steps.Single(s => s.GetProperty("concurrency").GetInt32() == 8);
        var at16 = steps.Single(s => s.GetProperty("concurrency").GetInt32() == 16);
        Assert.True(at16.GetProperty("latency_ms").GetProperty("p50").GetDouble() > 1.5 * at8.GetProperty("latency_ms").GetProperty("p50").GetDouble());
        Assert.True(at16.GetProperty("requests_per_second").GetDouble() < 1.1 * at8.GetProperty("requests_per_second").GetDouble());
        var at1 = steps.Single(s => s.GetProperty("concurrency").GetInt32() == 1);
        Assert.True(at8.GetProperty("requests_per_second").GetDouble() > 4 * at1.GetProperty("requests_per_second").GetDouble());
    }

    [Fact]
    public void LoadTest_GpusForTheTargetRate_AreTheCeilingOfTargetOverEditsPerSecondAtTheKnee()
    {
        var sizing = run.Results().GetProperty("sizing");
        var perGpu = sizing.GetProperty("edits_per_second_at_knee").GetDouble();
        Assert.Equal(LoadTestRunFixture.TargetEditsPerSecond, sizing.GetProperty("target_edits_per_second").GetDouble());
        Assert.Equal((int)Math.Ceiling(LoadTestRunFixture.TargetEditsPerSecond / perGpu), sizing.GetProperty("gpus_needed").GetInt32());
        Assert.Equal(sizing.GetProperty("requests_per_second_at_knee").GetDouble() / PolicyCount, perGpu, 9);
        Assert.Contains($"loadtest: 10 edits/s need {sizing.GetProperty("gpus_needed").GetInt32()} GPU(s)", run.Stdout, StringComparison.Ordinal);
        var stepAtKnee = run.Results().GetProperty("concurrency_steps").EnumerateArray().Last(s => s.GetProperty("concurrency").GetInt32() == sizing.GetProperty("knee").GetProperty("concurrency").GetInt32());
        Assert.Equal(stepAtKnee.GetProperty("requests_per_second").GetDouble(), sizing.GetProperty("requests_per_second_at_knee").GetDouble());
    }

    [Fact]
    public void LoadTest_SizeSweep_ForcesTheCompletionLengthAtTheRecommendedConcurrency()
    {
        var results = run.Results();
        var recommended = results.GetProperty("sizing").GetProperty("recommended_max_concurrency").GetInt32();
        var sizes = results.GetProperty("size_steps").EnumerateArray().ToList();
        Assert.Equal([(64, 16), (128, 32)], sizes.Select(s => (s.GetProperty("edit_tokens").GetInt32(), s.GetProperty("completion_tokens_requested").GetInt32())));
        foreach (var s in sizes)
        {
            Assert.Equal(recommended, s.GetProperty("concurrency").GetInt32());
            Assert.Equal(s.GetProperty("completion_tokens_requested").GetInt32(), s.GetProperty("mean_completion_tokens").GetDouble());
            Assert.Equal(s.GetProperty("requests").GetInt32(), s.GetProperty("length_finishes").GetInt32());
        }

        // More prompt and more completion: slower requests.
        Assert.True(sizes[1].GetProperty("latency_ms").GetProperty("p50").GetDouble() > sizes[0].GetProperty("latency_ms").GetProperty("p50").GetDouble());
        Assert.True(sizes[1].GetProperty("mean_prompt_tokens").GetDouble() > sizes[0].GetProperty("mean_prompt_tokens").GetDouble());
    }

    [Fact]
    public void LoadTest_Requests_AreTheWorkersOwnPolicyPromptsAndSyntheticEdits()
    {
        var bodies = run.RunRequests.Select(b => JsonDocument.Parse(b).RootElement).ToList();
        Assert.NotEmpty(bodies);
        var policies = PolicyCatalog.LoadDirectory(LocalServicesFixture.PoliciesPath).Policies
            .ToDictionary(p => SafeguardClassifierClient.PolicyMessage(p, LlmPolicyRole.Developer).Text, p => p);
        var classification = bodies.Where(b => !b.TryGetProperty("min_tokens", out _)).ToList();
        var sized = bodies.Where(b => b.TryGetProperty("min_tokens", out _)).ToList();
        Assert.NotEmpty(sized);
        foreach (var b in classification)
        {
            var messages = b.GetProperty("messages");
            Assert.Equal("developer", messages[0].GetProperty("role").GetString());
            Assert.True(policies.TryGetValue(messages[0].GetProperty("content").GetString()!, out var policy), "the first message is a loaded policy, byte for byte");
            Assert.Equal(policy!.ReasoningEffort.ToString().ToLowerInvariant(), b.GetProperty("reasoning_effort").GetString());
            Assert.StartsWith("Classify this edit to a Wikimedia wiki against the policy.\nwiki: enwiki\n", messages[1].GetProperty("content").GetString(), StringComparison.Ordinal);
            Assert.False(b.TryGetProperty("max_completion_tokens", out _)); // never a low output cap for real classification
            Assert.True(b.GetProperty("logprobs").GetBoolean());
        }

        // Every loaded policy is asked, one request per (edit, policy), and no two requests are the same prompt.
        Assert.Equal(policies.Count, classification.Select(b => b.GetProperty("messages")[0].GetProperty("content").GetString()).Distinct().Count());
        Assert.Equal(bodies.Count, bodies.Select(b => b.GetProperty("messages").GetRawText()).Distinct().Count());
        Assert.All(sized, b => Assert.Equal(b.GetProperty("min_tokens").GetInt32(), b.GetProperty("max_completion_tokens").GetInt32()));
    }

    [Fact]
    public async Task LoadTest_CtrlC_WritesTheFinishedStepsAndExits1()
    {
        var ct = TestContext.Current.CancellationToken;
        var output = Path.Combine(_directory, "interrupted");
        var log = Path.Combine(_directory, "loadtest.log");
        using var process = ProcessRunner.StartBackground(
            "dotnet", [Path.Combine(AppContext.BaseDirectory, "safeguard.dll"), .. LoadTestRunFixture.Arguments(run.Simulator.BaseUrl, output)],
            new Dictionary<string, string>(), log);
        try
        {
            // Wait (generously) until the third step has begun, then interrupt as Ctrl-C does.
            var waiting = TimeProvider.System.GetTimestamp();
            while (!(File.Exists(log) && (await File.ReadAllTextAsync(log, ct)).Contains("concurrency 4", StringComparison.Ordinal)))
            {
                Assert.False(process.HasExited, await File.ReadAllTextAsync(log, ct));
                Assert.True(TimeProvider.System.GetElapsedTime(waiting) < TimeSpan.FromMinutes(3), "the load test never reached concurrency 4");
                await Task.Delay(100, ct);
            }

            await ProcessRunner.RunAsync("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], new ProcessRunOptions(), TimeSpan.FromSeconds(10), ct);
            using var exit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            exit.CancelAfter(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(exit.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }

        // Exit 1 after writing "interrupted"; or 130 when the command line's 2 s grace after Ctrl-C ran out first (a
        // loaded machine), in which case the files written after the last finished step are what remains.
        var results = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "results.json"), ct)).RootElement;
        var ended = results.GetProperty("run").GetProperty("ended").GetString();
        Assert.True((process.ExitCode, ended) is (1, "interrupted") or (130, "interrupted" or "running"), $"exit {process.ExitCode}, ended {ended}");
        var levels = results.GetProperty("concurrency_steps").EnumerateArray().Select(s => s.GetProperty("concurrency").GetInt32()).ToList();
        Assert.Equal([1, 2], levels.Take(2));
        Assert.DoesNotContain(16, levels);
        Assert.Empty(results.GetProperty("size_steps").EnumerateArray());
        Assert.Contains(ended == "interrupted" ? "Interrupted (Ctrl-C)" : "Still running", await File.ReadAllTextAsync(Path.Combine(output, "report.html"), ct), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "loadtest" }, "--endpoint is required")]
    [InlineData(new[] { "loadtest", "--endpoint", "ftp://x/v1" }, "--endpoint: expected an http(s) URL")]
    [InlineData(new[] { "loadtest", "--endpoint", "http://127.0.0.1:9/v1", "--sizes", "128x" }, "--sizes: '128x' is not EDITxOUT")]
    [InlineData(new[] { "loadtest", "--endpoint", "http://127.0.0.1:9/v1", "--max-concurrency", "0" }, "--max-concurrency: expected a whole number from 1")]
    [InlineData(new[] { "loadtest", "--endpoint", "http://127.0.0.1:9/v1", "--duration-per-step", "soon" }, "--duration-per-step: expected a number")]
    [InlineData(new[] { "loadtest", "--endpoint", "http://127.0.0.1:9/v1", "--api-key-env", "SAFEGUARD_TEST_UNSET_KEY" }, "--api-key-env: the environment variable SAFEGUARD_TEST_UNSET_KEY is not set")]
    public async Task LoadTest_BadOption_Exits2NamingIt(string[] args, string message)
    {
        var (exit, _, stderr) = await EvalProcess.SafeguardAsync(args, new Dictionary<string, string>(), TestContext.Current.CancellationToken);
        Assert.Equal(2, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }
}
