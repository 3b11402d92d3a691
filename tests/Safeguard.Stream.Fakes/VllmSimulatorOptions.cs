namespace Safeguard.Stream.Fakes;

/// <summary>Settings of <see cref="VllmSimulator"/>. Fault rates are probabilities in [0, 1].</summary>
public sealed record VllmSimulatorOptions
{
    /// <summary>Model id served (the only one <c>/v1/models</c> lists and chat requests may name).</summary>
    public string ModelName { get; init; } = "openai/gpt-oss-safeguard-20b";

    /// <summary>Context length reported by <c>/v1/models</c> and enforced on prompt + max_tokens, as vLLM does.</summary>
    public int MaxModelLen { get; init; } = 131072;

    /// <summary>Fixed service time per completion, used by the default <see cref="FixedLatencyModel"/>.</summary>
    public TimeSpan Latency { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Replaces the latency logic (e.g. a continuous-batching capacity model); null = <see cref="FixedLatencyModel"/>.</summary>
    public IVllmLatencyModel? LatencyModel { get; init; }

    /// <summary>Share of completions answered with HTTP 500 and an empty body (what vLLM's harmony parse failures do).</summary>
    public double ServerErrorRate { get; init; }

    /// <summary>Share of completions that stop in the reasoning: <c>content: null</c>, <c>finish_reason: "length"</c>.</summary>
    public double LengthFinishRate { get; init; }

    /// <summary>Share of completions whose content is prose instead of the JSON verdict.</summary>
    public double MalformedContentRate { get; init; }

    /// <summary>
    /// Makes faults reproducible. Each fault draw is keyed on (seed, hash of the request body, how many times that
    /// exact body was seen before), so concurrency does not change which request fails, and a retry of the same body
    /// gets a fresh draw. Null: draws come from a shared random generator.
    /// </summary>
    public int? Seed { get; init; }

    /// <summary>Clock for the <c>created</c> fields.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Scripted faults, one per chat completion request in arrival order (request 1 gets entry 0, …); requests past
    /// the end of the plan are answered normally. Empty (the default): no scripted faults. Deterministic when the
    /// client sends its requests one at a time, which is what tests of a single classification do.
    /// </summary>
    public IReadOnlyList<VllmFault> FaultPlan { get; init; } = [];

    /// <summary><c>Retry-After</c> sent with <see cref="VllmFault.Overloaded"/> and <see cref="VllmFault.TooManyRequests"/>; null sends none.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Keep every chat completion request body (see <see cref="VllmSimulator.CapturedRequests"/>). Off by default.</summary>
    public bool CaptureRequests { get; init; }

    /// <summary>vLLM's prefix cache block size; cached token counts are multiples of it.</summary>
    public int PrefixCacheBlockSize { get; init; } = 16;
}

/// <summary>A scripted fault for one request (see <see cref="VllmSimulatorOptions.FaultPlan"/>).</summary>
public enum VllmFault
{
    /// <summary>A normal answer.</summary>
    None,

    /// <summary>HTTP 500 with an empty body (vLLM's harmony parse failures).</summary>
    ServerErrorEmptyBody,

    /// <summary>The reasoning used the whole budget: <c>content: null</c>, <c>finish_reason: "length"</c>.</summary>
    LengthNoContent,

    /// <summary>Content is prose instead of the JSON verdict.</summary>
    MalformedContent,

    /// <summary>Content is the verdict JSON cut off in the middle (<c>{"violation": 1, "rationale": "…</c>).</summary>
    PartialContent,

    /// <summary>HTTP 200 whose body is the completion JSON cut off in the middle (a proxy or server dying mid-write).</summary>
    TruncatedBody,

    /// <summary>Well-formed verdict JSON with <c>"violation": 2</c>.</summary>
    VerdictOutOfRange,

    /// <summary>HTTP 503 in the OpenAI error envelope, with <see cref="VllmSimulatorOptions.RetryAfter"/> when set (a proxy or router in front of vLLM).</summary>
    Overloaded,

    /// <summary>HTTP 429 in the OpenAI error envelope, with <see cref="VllmSimulatorOptions.RetryAfter"/> when set.</summary>
    TooManyRequests,

    /// <summary>Never answers until the client gives up (a stuck engine).</summary>
    Hang,
}
