namespace Safeguard.Stream.Classification.Evaluation;

/// <summary>One classification of one record (in one of the <c>--repeat</c> runs): a line of <c>predictions.jsonl</c>.</summary>
public sealed record EvalPrediction
{
    /// <summary>The labeled record classified: the prediction's id, line, label, truth, wiki and category are its own.</summary>
    public required EvalRecord Record { get; init; }

    /// <summary>1-based run number (<c>--repeat K</c> classifies every record K times).</summary>
    public required int Repeat { get; init; }

    /// <summary>
    /// The classifier's verdict as the live pipeline gets it (category, rationale, tokens, finish reason, truncation);
    /// null when the pre-screen skipped the record or the classifier threw.
    /// </summary>
    public PolicyVerdict? Answer { get; init; }

    /// <summary>Why the classifier threw (<c>rejected</c>/<c>unavailable</c>); null when it answered.</summary>
    public string? Failure { get; init; }

    /// <summary>Send to answer (or to failure), in milliseconds.</summary>
    public long LatencyMs { get; init; }

    /// <summary>The pre-screen's reason when the record was not sent to the model (<c>status: "skipped"</c>); null otherwise.</summary>
    public string? SkipReason { get; init; }

    private bool Answered => Answer?.Status == VerdictStatus.Ok;

    /// <summary>The model's verdict: true = violation. Null when <see cref="Error"/> is set.</summary>
    public bool? Verdict => Answered ? Answer!.Violation : null;

    /// <summary>P(violation) from the verdict digit's logprobs; null when the server returned none (or on error).</summary>
    public double? Probability => Answered ? Answer!.Probability : null;

    /// <summary>What the live pipeline would decide at the policy's own threshold (<c>would_flag</c> in shadow mode).</summary>
    public bool Flagged => Answered && Answer!.Flagged;

    /// <summary>Why there is no verdict (the classifier's error reason, or <c>rejected</c>/<c>unavailable</c>); null when scored.</summary>
    public string? Error => Answer is null ? Failure
        : Answered ? (Answer.Violation is null ? "no_verdict" : null)
        : Answer.Error ?? "error";

    /// <summary>Has a verdict that counts in the metrics.</summary>
    public bool IsScored => Error is null && Verdict is not null;

    /// <summary>Skipped by the pre-screen: no verdict, and the live pipeline would flag nothing.</summary>
    public bool IsSkipped => SkipReason is not null;

    /// <summary><c>ok</c>, <c>error</c> or <c>skipped</c>, as <c>predictions.jsonl</c> writes it.</summary>
    public string Status => IsSkipped ? "skipped" : IsScored ? "ok" : "error";

    /// <summary>
    /// The score thresholds are set on: <see cref="Probability"/>, or 1/0 from the verdict when the server gave no
    /// logprobs. Null when not scored.
    /// </summary>
    public double? Score => IsScored ? Probability ?? (Verdict == true ? 1.0 : 0.0) : null;

    /// <summary>
    /// The live decision rule at threshold <paramref name="threshold"/> (<see cref="Llm.SafeguardClassifierClient"/>):
    /// a violation verdict whose score is at or above the threshold.
    /// </summary>
    public bool FlaggedAt(double threshold) => Verdict == true && Score >= threshold;

    public static EvalPrediction FromVerdict(EvalRecord record, int repeat, PolicyVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        return new() { Record = record, Repeat = repeat, Answer = verdict, LatencyMs = verdict.LatencyMs };
    }

    /// <summary>The pre-screen skipped the record: no request, no verdict, and nothing flagged.</summary>
    public static EvalPrediction FromSkip(EvalRecord record, int repeat, string reason) =>
        new() { Record = record, Repeat = repeat, SkipReason = reason };

    /// <summary>The classifier threw (the server rejected the request, or stayed unavailable): an error prediction.</summary>
    public static EvalPrediction FromFailure(EvalRecord record, int repeat, string error, long latencyMs) =>
        new() { Record = record, Repeat = repeat, Failure = error, LatencyMs = latencyMs };
}
