using Safeguard.Stream.Core.Policies;

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

    /// <summary>Enforce mode: flagged. Shadow mode: would have been flagged.</summary>
    public bool Flagged { get; init; }
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
