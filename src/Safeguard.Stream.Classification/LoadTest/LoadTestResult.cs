using Safeguard.Stream.Classification.Evaluation;

namespace Safeguard.Stream.Classification.LoadTest;

/// <summary>One request of a load test as the client saw it.</summary>
/// <param name="Worker">Which of the step's closed-loop clients sent it.</param>
/// <param name="EndSeconds">When its answer (or failure) arrived, in seconds since the step began.</param>
/// <param name="LatencyMs">Send to answer, at the client.</param>
/// <param name="Error">Null for a completion; otherwise its kind (<c>http_500</c>, <c>timeout</c>, <c>connection</c>, <c>malformed_response</c>).</param>
/// <param name="PromptTokens"><c>usage.prompt_tokens</c> (0 for a failure).</param>
/// <param name="CompletionTokens"><c>usage.completion_tokens</c>, reasoning included.</param>
/// <param name="CachedTokens"><c>usage.prompt_tokens_details.cached_tokens</c> (0 when the server does not report it).</param>
/// <param name="FinishReason">The answer's <c>finish_reason</c>.</param>
public sealed record RequestSample(
    int Worker, double EndSeconds, double LatencyMs, string? Error, int PromptTokens, int CompletionTokens, int CachedTokens, string? FinishReason);

/// <summary>What one step measured: a concurrency (the sweep) or a prompt and completion size (the size sweep).</summary>
public sealed record LoadStep
{
    /// <summary><c>concurrency</c> or <c>size</c>.</summary>
    public required string Phase { get; init; }
    public required int Concurrency { get; init; }

    /// <summary>Tokens of the rendered edit (the user message, o200k) the step asked for; the policy comes on top (see <see cref="MeanPromptTokens"/>).</summary>
    public required int EditTokens { get; init; }

    /// <summary>The step's <c>max_completion_tokens</c> (and <c>min_tokens</c>); null in the concurrency sweep, which never caps the answer.</summary>
    public int? CompletionTokensRequested { get; init; }

    public required int Requests { get; init; }
    public required int Errors { get; init; }
    public required IReadOnlyDictionary<string, int> ErrorKinds { get; init; }
    public required double DurationSeconds { get; init; }

    /// <summary>Completed requests per second (failed ones excluded), steady state (see <see cref="StepStatistics"/>).</summary>
    public required double RequestsPerSecond { get; init; }
    public required double PromptTokensPerSecond { get; init; }
    public required double CompletionTokensPerSecond { get; init; }

    /// <summary><see cref="RequestsPerSecond"/> over the number of loaded policies: one request per (edit, policy).</summary>
    public required double EditsPerSecond { get; init; }
    public required double MeanPromptTokens { get; init; }
    public required double MeanCachedTokens { get; init; }
    public required double MeanCompletionTokens { get; init; }

    /// <summary>Answers that ended with <c>finish_reason: "length"</c> (expected in the size sweep, a warning in the concurrency sweep).</summary>
    public required int LengthFinishes { get; init; }
    public required DistributionSummary LatencyMs { get; init; }

    public double ErrorShare => Requests == 0 ? 0 : (double)Errors / Requests;

    public ThroughputPoint Point => new(Concurrency, RequestsPerSecond, LatencyMs.P50 ?? 0, ErrorShare);
}

/// <summary>How the run was asked for and where it ran.</summary>
public sealed record LoadTestRun
{
    public required string Endpoint { get; init; }
    public required string Model { get; init; }
    public required string PolicyRole { get; init; }
    public required IReadOnlyList<string> Policies { get; init; }

    /// <summary>Requests per edit: one per loaded policy.</summary>
    public required int RequestsPerEdit { get; init; }
    public required int MaxConcurrency { get; init; }
    public required double DurationPerStepSeconds { get; init; }
    public required int MaxRequests { get; init; }
    public required int TypicalEditTokens { get; init; }
    public required IReadOnlyList<string> Sizes { get; init; }
    public double? TargetEditsPerSecond { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public double DurationSeconds { get; init; }

    /// <summary>The answers came from the vLLM simulator (its reasoning and rationales start with <c>[simulated]</c>).</summary>
    public bool Simulated { get; init; }

    /// <summary>
    /// Why the run ended: <c>completed</c>, <c>max_requests</c> or <c>interrupted</c> (Ctrl-C: what was measured is
    /// kept); <c>running</c> in the files written after each step, which a killed run leaves behind.
    /// </summary>
    public string Ended { get; init; } = "completed";
}

/// <summary>The sizing answer: the knee and what it means for the worker's settings and the number of GPUs.</summary>
/// <param name="Knee">The knee of the concurrency sweep.</param>
/// <param name="RecommendedMaxConcurrency"><c>Safeguard:Llm:MaxConcurrency</c> (see <see cref="KneeEstimate.RecommendedMaxConcurrency"/>).</param>
/// <param name="RequestsPerSecondAtKnee">Requests per second one server sustains there.</param>
/// <param name="TargetEditsPerSecond">The edit rate sized for (<c>--edits-per-second</c>).</param>
/// <param name="EditsPerSecondAtKnee">Edits per second one server sustains at the recommended concurrency.</param>
/// <param name="GpusNeeded">ceil(target / <paramref name="EditsPerSecondAtKnee"/>); null without a target (<c>--edits-per-second</c>).</param>
/// <param name="Rule">The knee rule in words, as results.json's reader needs it.</param>
public sealed record LoadTestSizing(
    KneeEstimate Knee,
    int? RecommendedMaxConcurrency,
    double? RequestsPerSecondAtKnee,
    double? EditsPerSecondAtKnee,
    double? TargetEditsPerSecond,
    int? GpusNeeded,
    string Rule);

/// <summary>Everything a load test measured (<c>results.json</c>).</summary>
public sealed record LoadTestResult(LoadTestRun Run, IReadOnlyList<LoadStep> ConcurrencySteps, IReadOnlyList<LoadStep> SizeSteps, LoadTestSizing Sizing);
