using Safeguard.Stream.Classification.Evaluation;
using Safeguard.Stream.Core.Policies;
using Safeguard.Stream.Core.Verdicts;

namespace Safeguard.Stream.Classification.Tests.Evaluation;

/// <summary>Hand-made predictions for the metric tests.</summary>
internal static class EvalFixtures
{
    private static int s_line;

    public static EvalPrediction Scored(bool truth, bool verdict, double? probability = null, string lang = "en", int repeat = 1, int? line = null,
        string? recordCategory = null, string? category = null, long latencyMs = 10, string rationale = "[simulated] test")
    {
        var n = line ?? Interlocked.Increment(ref s_line);
        return EvalPrediction.FromVerdict(Record("r" + n, n, truth, lang, recordCategory), repeat, new PolicyVerdict
        {
            PolicyId = "vandalism",
            PolicyVersion = 1,
            Status = VerdictStatus.Ok,
            Violation = verdict,
            Probability = probability,
            Category = category ?? (verdict ? "VAND1" : null),
            Rationale = rationale,
            Flagged = verdict && (probability ?? 1) >= 0.5,
            Mode = PolicyMode.Enforce,
            Visibility = PolicyVisibility.Public,
            ReasoningEffort = ReasoningEffort.Low,
            Model = "openai/gpt-oss-safeguard-20b",
            PromptTokens = 100,
            CompletionTokens = 20,
            CachedTokens = 64,
            LatencyMs = latencyMs,
            ClassifiedAt = DateTimeOffset.UnixEpoch,
        });
    }

    public static EvalPrediction Error(bool truth, string error = "unparsable_verdict", int repeat = 1, int? line = null)
    {
        var n = line ?? Interlocked.Increment(ref s_line);
        return EvalPrediction.FromFailure(Record("e" + n, n, truth, "en", null), repeat, error, 30);
    }

    private static EvalRecord Record(string id, int line, bool truth, string lang, string? category) => new()
    {
        Id = id,
        Line = line,
        Label = truth ? "vandalism" : "constructive",
        Truth = truth,
        Lang = lang,
        Wiki = lang + "wiki",
        Domain = lang + ".wikipedia.org",
        Category = category,
    };

    public static EvalRunInfo Run(int repeats = 1) =>
        new("vandalism", 1, "enforce", 0.5, "openai/gpt-oss-safeguard-20b", "test.jsonl", ["vandalism"], ["constructive"], repeats, 4, DateTimeOffset.UnixEpoch, 1.5);

    public static EvalDatasetSummary Dataset(int records) => new(records, records, 0, 0, 0, false, 0, []);
}
