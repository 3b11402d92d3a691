namespace Safeguard.Stream.Core.Verdicts;

public enum VerdictStatus
{
    Ok,
    Error,
}

/// <summary>One policy's judgement of one edit, with what it cost.</summary>
public sealed record PolicyVerdict
{
    public required string PolicyId { get; init; }
    public required int PolicyVersion { get; init; }
    public required VerdictStatus Status { get; init; }

    /// <summary>Why the verdict is an error (e.g. <c>unparsable_verdict</c>, <c>length</c>); null when ok.</summary>
    public string? Error { get; init; }
    public bool? Violation { get; init; }

    /// <summary>Probability of a violation from token logprobs, where the server returned them.</summary>
    public double? Probability { get; init; }
    public string? Category { get; init; }
    public string? Rationale { get; init; }

    /// <summary>
    /// The model's analysis-channel text, kept only when <c>Safeguard:Llm:StoreReasoning</c> is true (default false).
    /// Meant for the Postgres audit row only: never published on Kafka, never logged.
    /// </summary>
    public string? Reasoning { get; init; }

    /// <summary>
    /// The decision: violation and probability at or above the policy's threshold. In enforce mode this flags the
    /// edit. In shadow mode it is the would-be decision only: sinks publish it as <c>would_flag</c> and the moderators'
    /// view ignores shadow rows (see <see cref="FlagsEdit"/>).
    /// </summary>
    public bool Flagged { get; init; }

    /// <summary>True only when the edit is actually flagged for moderators: <see cref="Flagged"/> in enforce mode.</summary>
    public bool FlagsEdit => Flagged && Mode == PolicyMode.Enforce;
    public required PolicyMode Mode { get; init; }
    public required PolicyVisibility Visibility { get; init; }
    public required ReasoningEffort ReasoningEffort { get; init; }
    public required string Model { get; init; }
    public int PromptTokens { get; init; }
    public int CompletionTokens { get; init; }
    public int CachedTokens { get; init; }
    public required long LatencyMs { get; init; }
    public bool InputTruncated { get; init; }
    public string? FinishReason { get; init; }
    public required DateTimeOffset ClassifiedAt { get; init; }
}
