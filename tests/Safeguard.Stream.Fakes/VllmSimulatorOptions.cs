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

    /// <summary>vLLM's prefix cache block size; cached token counts are multiples of it.</summary>
    public int PrefixCacheBlockSize { get; init; } = 16;
}
