namespace Safeguard.Stream.Classification.Evaluation;

/// <summary>One classification of one record (in one of the <c>--repeat</c> runs): a line of <c>predictions.jsonl</c>.</summary>
public sealed record EvalPrediction
{
    public required string Id { get; init; }
    public required int Line { get; init; }

    /// <summary>1-based run number (<c>--repeat K</c> classifies every record K times).</summary>
    public required int Repeat { get; init; }
    public required string Label { get; init; }

    /// <summary>True when the label is positive: the policy should flag this edit.</summary>
    public required bool Truth { get; init; }
    public required string Lang { get; init; }
    public required string Wiki { get; init; }
    public string? Title { get; init; }

    /// <summary>The record's own category (<c>category</c> or <c>label_detail</c>), if it has one.</summary>
    public string? RecordCategory { get; init; }

    /// <summary>The model's verdict: true = violation. Null when <see cref="Error"/> is set.</summary>
    public bool? Verdict { get; init; }

    /// <summary>P(violation) from the verdict digit's logprobs; null when the server returned none (or on error).</summary>
    public double? Probability { get; init; }

    /// <summary>The policy category the model named (e.g. VAND1).</summary>
    public string? Category { get; init; }
    public string? Rationale { get; init; }

    /// <summary>What the live pipeline would decide at the policy's own threshold (<c>would_flag</c> in shadow mode).</summary>
    public bool Flagged { get; init; }
    public int PromptTokens { get; init; }
    public int CompletionTokens { get; init; }
    public int CachedTokens { get; init; }
    public long LatencyMs { get; init; }

    /// <summary>Why there is no verdict (the classifier's error reason, or <c>rejected</c>/<c>unavailable</c>); null when scored.</summary>
    public string? Error { get; init; }
    public string? FinishReason { get; init; }
    public bool Truncated { get; init; }

    /// <summary>Has a verdict that counts in the metrics.</summary>
    public bool IsScored => Error is null && Verdict is not null;

    /// <summary>The pre-screen's reason when the record was not sent to the model (<c>status: "skipped"</c>); null otherwise.</summary>
    public string? SkipReason { get; init; }

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
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(verdict);
        var ok = verdict.Status == VerdictStatus.Ok;
        return Base(record, repeat) with
        {
            Verdict = ok ? verdict.Violation : null,
            Probability = ok ? verdict.Probability : null,
            Category = verdict.Category,
            Rationale = verdict.Rationale,
            Flagged = ok && verdict.Flagged,
            PromptTokens = verdict.PromptTokens,
            CompletionTokens = verdict.CompletionTokens,
            CachedTokens = verdict.CachedTokens,
            LatencyMs = verdict.LatencyMs,
            Error = ok ? (verdict.Violation is null ? "no_verdict" : null) : verdict.Error ?? "error",
            FinishReason = verdict.FinishReason,
            Truncated = verdict.InputTruncated,
        };
    }

    /// <summary>The pre-screen skipped the record: no request, no verdict, and nothing flagged.</summary>
    public static EvalPrediction FromSkip(EvalRecord record, int repeat, string reason)
    {
        ArgumentNullException.ThrowIfNull(record);
        return Base(record, repeat) with { SkipReason = reason };
    }

    /// <summary>The classifier threw (the server rejected the request, or stayed unavailable): an error prediction.</summary>
    public static EvalPrediction FromFailure(EvalRecord record, int repeat, string error, long latencyMs)
    {
        ArgumentNullException.ThrowIfNull(record);
        return Base(record, repeat) with { Error = error, LatencyMs = latencyMs };
    }

    private static EvalPrediction Base(EvalRecord record, int repeat) => new()
    {
        Id = record.Id,
        Line = record.Line,
        Repeat = repeat,
        Label = record.Label,
        Truth = record.Truth,
        Lang = record.Lang,
        Wiki = record.Wiki,
        Title = record.Title,
        RecordCategory = record.Category,
    };
}
