using System.Text.Encodings.Web;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Safeguard.Stream.Core.Prompts;

namespace Safeguard.Stream.Classification.LoadTest;

/// <summary>A prompt and completion size of the size sweep: <c>EDITxOUT</c> (e.g. <c>512x128</c>).</summary>
/// <param name="EditTokens">o200k tokens of the rendered edit, the user message; the policy comes on top of it, and is prefix-cached.</param>
/// <param name="CompletionTokens">Tokens generated: <c>max_completion_tokens</c> and <c>min_tokens</c>.</param>
public readonly record struct LoadSize(int EditTokens, int CompletionTokens)
{
    public const int MaxTokens = 131_072;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{EditTokens}x{CompletionTokens}");

    /// <summary>Parses <c>128x64,512x128</c>; <see cref="FormatException"/> names the bad item.</summary>
    public static IReadOnlyList<LoadSize> ParseList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sizes = new List<LoadSize>();
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = item.Split('x', 'X');
            if (parts.Length != 2
                || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var edit)
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var completion)
                || edit is < 1 or > MaxTokens || completion is < 1 or > MaxTokens)
            {
                throw new FormatException($"'{item}' is not EDITxOUT with both from 1 to {MaxTokens} (e.g. 512x128)");
            }

            sizes.Add(new LoadSize(edit, completion));
        }

        return sizes;
    }
}

/// <summary>What a load test does and its bounds.</summary>
/// <param name="MaxConcurrency">The highest concurrency the sweep may reach.</param>
/// <param name="Sizes">The size sweep's steps, run at the recommended concurrency; empty skips it.</param>
/// <param name="DurationPerStep">How long each step sends new requests.</param>
/// <param name="MaxRequests">Requests in the whole run at most.</param>
/// <param name="TargetEditsPerSecond">The edit rate to size for (<c>--edits-per-second</c>), if any.</param>
public sealed record LoadTestPlan(int MaxConcurrency, IReadOnlyList<LoadSize> Sizes, TimeSpan DurationPerStep, int MaxRequests, double? TargetEditsPerSecond);

/// <summary>How far a load test is (for a progress bar).</summary>
public readonly record struct LoadTestProgress(int Step, int Steps, string Label, double StepFraction, int Requests, int Errors, TimeSpan Elapsed)
{
    /// <summary>Share of the planned steps done; the plan shrinks when the sweep stops early.</summary>
    public double Fraction => Steps == 0 ? 1 : Math.Clamp((Step - 1 + Math.Clamp(StepFraction, 0, 1)) / Steps, 0, 1);

    /// <summary><c>[######------] step 3/9 concurrency 4: 120 requests, 0 errors, 0:42</c>, for a terminal line.</summary>
    public string Bar(int width = 30)
    {
        var filled = (int)Math.Round(width * Fraction);
        return "[" + new string('#', filled) + new string('-', width - filled) + "] " + Numbers();
    }

    /// <summary>A plain line for logs and pipes.</summary>
    public string Line() => "loadtest: " + Numbers();

    private string Numbers() => string.Create(CultureInfo.InvariantCulture,
        $"step {Step}/{Steps} {Label}: {Requests} requests, {Errors} errors, {(int)Elapsed.TotalMinutes}:{Elapsed.Seconds:00}");
}

/// <summary>
/// <c>safeguard loadtest</c>: sizes a model server for the loaded policy set. First a concurrency sweep (1, 2, 4 … to
/// <see cref="LoadTestPlan.MaxConcurrency"/>, until throughput stops growing or errors rise; then a few steps to place
/// the knee between powers of two: <see cref="SaturationKnee"/>) with real classification requests, byte for byte what
/// the worker sends (the policy message of <see cref="SafeguardClassifierClient.PolicyMessage"/>, the edit rendered by
/// <see cref="EditPromptRenderer"/>, the policy's reasoning effort, logprobs as configured, no output cap) for
/// synthetic edits (<see cref="SyntheticEdits"/>), one request per (edit, policy). Then a size sweep at the recommended
/// concurrency, as the ML team's 1–2048 in/out sweep did, where each step forces the completion length
/// (<c>max_completion_tokens</c> = <c>min_tokens</c> = OUT, <c>ignore_eos</c>). Ctrl-C ends it with what was measured.
/// </summary>
public sealed class LoadTestRunner(IOptions<LlmOptions> options, TimeProvider time)
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public string Model => options.Value.Model;

    public Uri Endpoint => options.Value.Endpoint;

    /// <summary>
    /// Runs the sweeps. <paramref name="stepDone"/> gets the results so far (<see cref="LoadTestRun.Ended"/> =
    /// <c>running</c>) after every step, so that a process killed mid-run still leaves what it measured.
    /// </summary>
    public async Task<LoadTestResult> RunAsync(
        LoadTestPlan plan, IReadOnlyList<Policy> policies, Action<LoadTestProgress>? progress, Func<LoadTestResult, Task>? stepDone, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentOutOfRangeException.ThrowIfZero(policies.Count);
        var llm = options.Value;
        var generator = new LoadGenerator(SafeguardClassifierClient.CreateChatClient(llm), time, llm.RequestTimeout);
        var startedAt = time.GetUtcNow();
        var started = time.GetTimestamp();
        var budget = new RequestBudget(plan.MaxRequests);
        var messages = policies.Select(p => SafeguardClassifierClient.PolicyMessage(p, llm.PolicyRole)).ToList();
        var number = -1;
        int requests = 0, errors = 0;
        var interrupted = false;

        var doublingLevels = (int)Math.Ceiling(Math.Log2(plan.MaxConcurrency)) + 1;
        async Task<LoadStep?> Step(string phase, int concurrency, int step, int planned, string label, int editTokens, int? completionTokens)
        {
            SyntheticEdits.Prepare(editTokens, startedAt);
            var stepStarted = time.GetTimestamp();
            var samples = await generator.RunStepAsync(concurrency, plan.DurationPerStep, () => Body(Interlocked.Increment(ref number), editTokens, completionTokens), budget, sample =>
            {
                Interlocked.Increment(ref requests);
                if (sample.Error is not null)
                {
                    Interlocked.Increment(ref errors);
                }

                progress?.Invoke(new LoadTestProgress(step, planned, label, time.GetElapsedTime(stepStarted) / plan.DurationPerStep,
                    Volatile.Read(ref requests), Volatile.Read(ref errors), time.GetElapsedTime(started)));
            }, cancellationToken);
            if (cancellationToken.IsCancellationRequested)
            {
                interrupted = true;
                return null; // a cut step would understate what the server does
            }

            return samples.Count == 0 ? null : StepStatistics.Summarize(phase, concurrency, editTokens, completionTokens, policies.Count, samples);
        }

        BinaryData Body(int n, int editTokens, int? completionTokens)
        {
            var policy = policies[n % policies.Count];
            var (role, text) = messages[n % policies.Count];
            var edit = SyntheticEdits.Create(n / policies.Count, editTokens, startedAt);
            var user = EditPromptRenderer.Render(edit.Edit, edit.Diff);
            var logprobs = llm.RequestLogProbabilities ? llm.TopLogProbabilities : (int?)null;
            var body = ChatExchange.WriteRequest(llm.Model, role, text, user, policy.ReasoningEffort, completionTokens ?? llm.MaxOutputTokens, logprobs);
            if (completionTokens is not { } forced)
            {
                return body;
            }

            // vLLM's extra sampling parameters (as its benchmark_serving sends them): generate exactly the step's length.
            var node = JsonNode.Parse(body.ToMemory().Span)!.AsObject();
            node["min_tokens"] = forced;
            node["ignore_eos"] = true;
            return BinaryData.FromString(node.ToJsonString());
        }

        var concurrencySteps = new List<LoadStep>();
        var sizeSteps = new List<LoadStep>();
        LoadTestResult Result(string ended)
        {
            var knee = SaturationKnee.Find(concurrencySteps.Select(s => s.Point));
            var run = new LoadTestRun
            {
                Endpoint = llm.Endpoint.ToString(),
                Model = llm.Model,
                PolicyRole = llm.PolicyRole.ToString().ToLowerInvariant(),
                Policies = [.. policies.Select(p => p.Id)],
                RequestsPerEdit = policies.Count,
                MaxConcurrency = plan.MaxConcurrency,
                DurationPerStepSeconds = plan.DurationPerStep.TotalSeconds,
                MaxRequests = plan.MaxRequests,
                TypicalEditTokens = SyntheticEdits.TypicalEditTokens,
                Sizes = [.. plan.Sizes.Select(s => s.ToString())],
                TargetEditsPerSecond = plan.TargetEditsPerSecond,
                StartedAt = startedAt,
                DurationSeconds = time.GetElapsedTime(started).TotalSeconds,
                Simulated = generator.SawSimulator,
                Ended = ended,
            };
            return new LoadTestResult(run, [.. concurrencySteps], [.. sizeSteps], Sizing(knee, policies.Count, plan.TargetEditsPerSecond));
        }

        async Task Keep(List<LoadStep> phase, LoadStep? step)
        {
            if (step is null)
            {
                return;
            }

            phase.Add(step);
            if (stepDone is not null)
            {
                await stepDone(Result("running"));
            }
        }

        while (!interrupted && !budget.Exhausted && SaturationKnee.NextConcurrency([.. concurrencySteps.Select(s => s.Point)], plan.MaxConcurrency) is { } c)
        {
            var planned = Math.Max(doublingLevels, concurrencySteps.Count + 1) + plan.Sizes.Count;
            await Keep(concurrencySteps, await Step("concurrency", c, concurrencySteps.Count + 1, planned, "concurrency " + c.ToString(CultureInfo.InvariantCulture), SyntheticEdits.TypicalEditTokens, null));
        }

        var sizeConcurrency = SaturationKnee.Find(concurrencySteps.Select(s => s.Point)).RecommendedMaxConcurrency ?? 1;
        foreach (var size in plan.Sizes)
        {
            if (interrupted || budget.Exhausted)
            {
                break;
            }

            var index = concurrencySteps.Count + sizeSteps.Count + 1;
            await Keep(sizeSteps, await Step("size", sizeConcurrency, index, concurrencySteps.Count + plan.Sizes.Count, $"size {size} at concurrency {sizeConcurrency}", size.EditTokens, size.CompletionTokens));
        }

        return Result(interrupted ? "interrupted" : budget.Exhausted ? "max_requests" : "completed");
    }

    /// <summary>Writes <c>results.json</c> and <c>report.html</c> into <paramref name="directory"/> (created; files replaced).</summary>
    public static async Task WriteAsync(LoadTestResult result, string directory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(directory);
        var utf8 = new UTF8Encoding(false);
        await File.WriteAllTextAsync(Path.Combine(directory, "results.json"), Json(result), utf8, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "report.html"), LoadTestReportWriter.Write(result), utf8, cancellationToken);
    }

    /// <summary><c>results.json</c>: the run, every step, the knee and the sizing, snake_case.</summary>
    public static string Json(LoadTestResult result) => JsonSerializer.Serialize(result, s_json) + "\n";

    /// <summary>The sizing that follows from a knee (pure: the knee rule's numbers for the loaded policy set and a target).</summary>
    public static LoadTestSizing Sizing(KneeEstimate knee, int requestsPerEdit, double? targetEditsPerSecond)
    {
        ArgumentNullException.ThrowIfNull(knee);
        var edits = knee.RequestsPerSecond is { } rps && rps > 0 ? SaturationKnee.EditsPerSecond(rps, requestsPerEdit) : (double?)null;
        var gpus = targetEditsPerSecond is { } target && edits is { } e ? SaturationKnee.GpusNeeded(target, e) : (int?)null;
        return new LoadTestSizing(knee, knee.RecommendedMaxConcurrency, knee.RequestsPerSecond, edits, targetEditsPerSecond, gpus,
            "knee = the smallest concurrency with a clean step above it (errors <= 5 %) such that no higher concurrency reaches 1.10 x its requests/s; " +
            "recommended Safeguard:Llm:MaxConcurrency = the knee (per model server; replicas sharing one server split it); GPUs = ceil(target edits/s / edits/s at the knee), " +
            "edits/s = requests/s / requests per edit (one per loaded policy)");
    }
}
