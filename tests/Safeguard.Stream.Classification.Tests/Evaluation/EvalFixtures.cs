using Safeguard.Stream.Classification.Evaluation;

namespace Safeguard.Stream.Classification.Tests.Evaluation;

/// <summary>Hand-made predictions for the metric tests.</summary>
internal static class EvalFixtures
{
    private static int s_line;

    public static EvalPrediction Scored(bool truth, bool verdict, double? probability = null, string lang = "en", int repeat = 1, int? line = null,
        string? recordCategory = null, string? category = null, long latencyMs = 10)
    {
        var n = line ?? Interlocked.Increment(ref s_line);
        return new()
        {
            Id = "r" + n,
            Line = n,
            Repeat = repeat,
            Label = truth ? "vandalism" : "constructive",
            Truth = truth,
            Lang = lang,
            Wiki = lang + "wiki",
            RecordCategory = recordCategory,
            Verdict = verdict,
            Probability = probability,
            Category = category ?? (verdict ? "VAND1" : null),
            Rationale = "[simulated] test",
            Flagged = verdict && (probability ?? 1) >= 0.5,
            PromptTokens = 100,
            CompletionTokens = 20,
            CachedTokens = 64,
            LatencyMs = latencyMs,
        };
    }

    public static EvalPrediction Error(bool truth, string error = "unparsable_verdict", int repeat = 1, int? line = null)
    {
        var n = line ?? Interlocked.Increment(ref s_line);
        return new()
        {
            Id = "e" + n,
            Line = n,
            Repeat = repeat,
            Label = truth ? "vandalism" : "constructive",
            Truth = truth,
            Lang = "en",
            Wiki = "enwiki",
            Error = error,
            LatencyMs = 30,
        };
    }

    public static EvalRunInfo Run(int repeats = 1) =>
        new("vandalism", 1, "enforce", 0.5, "openai/gpt-oss-safeguard-20b", "test.jsonl", ["vandalism"], ["constructive"], repeats, 4, DateTimeOffset.UnixEpoch, 1.5);

    public static EvalDatasetSummary Dataset(int records) => new(records, records, 0, 0, 0, false, 0, []);
}
