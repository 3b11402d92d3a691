using System.Diagnostics;
using System.Net.Http.Headers;
using Safeguard.Stream.Classification.Llm;
using Safeguard.Stream.Classification.LoadTest;
using Safeguard.Stream.Classification.Policies;
using Safeguard.Stream.Core.Prompts;
using Safeguard.Stream.Core.Verdicts;
using Safeguard.Stream.Fakes;

namespace Safeguard.Stream.Benchmarks;

/// <summary>
/// The worker's per-answer cost of reading the model's answer (issue 17, BENCHMARKS.md "Where the worker's CPU goes"):
/// <see cref="ChatExchange.ReadAnswer"/>, the verdict and its probability from the logprobs, on one thread, over real
/// answer bodies from the vLLM simulator (the shape vLLM 0.14 writes: every generated token with its <c>bytes</c> and
/// <c>top_logprobs</c>) for the repository's policies and synthetic edits, at the worker's default top_logprobs. Five
/// such answers make an edit. Time and allocations are per answer, after a warm-up.
/// </summary>
internal static class AnswerReadBenchmark
{
    private const int Bodies = 40;
    private const int Rounds = 10_000;

    public static async Task<Dictionary<string, object>> RunAsync(string policiesDir, int topLogProbabilities, CancellationToken ct)
    {
        var (policies, _) = PolicyCatalog.LoadDirectory(policiesDir);
        await using var llm = await VllmSimulator.StartAsync(new VllmSimulatorOptions { Latency = TimeSpan.Zero, Seed = 11, EnablePromptTokensDetails = true }, ct: ct);
        using var http = new HttpClient();
        var now = TimeProvider.System.GetUtcNow();
        var bodies = new List<BinaryData>(Bodies);
        for (var i = 0; i < Bodies; i++)
        {
            var policy = policies[i % policies.Count];
            var request = SyntheticEdits.Create(i, SyntheticEdits.TypicalEditTokens, now);
            var (role, instructions) = SafeguardClassifierClient.PolicyMessage(policy, LlmPolicyRole.Developer);
            var body = ChatExchange.WriteRequest(llm.Options.ModelName, role, instructions, EditPromptRenderer.Render(request.Edit, request.Diff),
                policy.ReasoningEffort, maxOutputTokens: null, topLogProbabilities);
            using var content = new ByteArrayContent(body.ToArray());
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync(new Uri(llm.BaseUrl + "/chat/completions"), content, ct);
            response.EnsureSuccessStatusCode();
            bodies.Add(BinaryData.FromBytes(await response.Content.ReadAsByteArrayAsync(ct)));
        }

        // The three steps apart, then together: reading the body, parsing the verdict, the probability from the logprobs.
        var answers = bodies.Select(b => ChatExchange.ReadAnswer(b)).ToList();
        var verdicts = answers.Select(a => VerdictParser.TryParse(a.Content, out var v, out _, out _) && v.Violation).ToList();
        var readUs = Measure(i => ChatExchange.ReadAnswer(bodies[i % Bodies]));
        var verdictUs = Measure(i => _ = VerdictParser.TryParse(answers[i % Bodies].Content, out _, out _, out _));
        var probabilityUs = Measure(i => VerdictProbability.FromLogProbabilities(answers[i % Bodies].Tokens, verdicts[i % Bodies], answers[i % Bodies].Content));
        var probabilities = 0;
        void Read(int i)
        {
            var answer = ChatExchange.ReadAnswer(bodies[i % Bodies]);
            if (VerdictParser.TryParse(answer.Content, out var verdict, out _, out _)
                && VerdictProbability.FromLogProbabilities(answer.Tokens, verdict.Violation, answer.Content) is not null)
            {
                probabilities++;
            }
        }

        Measure(Read);
        probabilities = 0;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var totalUs = Measure(Read, warmUp: false);
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        return new Dictionary<string, object>
        {
            ["answers"] = Rounds,
            ["top_logprobs"] = topLogProbabilities,
            ["body_bytes_mean"] = Math.Round(bodies.Average(b => b.ToMemory().Length)),
            ["us_per_answer"] = totalUs,
            ["read_us_per_answer"] = readUs,
            ["verdict_us_per_answer"] = verdictUs,
            ["probability_us_per_answer"] = probabilityUs,
            ["allocated_bytes_per_answer"] = allocated / Rounds,
            ["probability_found_ratio"] = Math.Round((double)probabilities / Rounds, 3),
        };
    }

    /// <summary>Microseconds per call of <paramref name="step"/> over <see cref="Rounds"/> calls, after as many to warm up.</summary>
    private static double Measure(Action<int> step, bool warmUp = true)
    {
        if (warmUp)
        {
            for (var i = 0; i < Rounds; i++)
            {
                step(i);
            }
        }

        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < Rounds; i++)
        {
            step(i);
        }

        return Math.Round(stopwatch.Elapsed.TotalMicroseconds / Rounds, 2);
    }
}
