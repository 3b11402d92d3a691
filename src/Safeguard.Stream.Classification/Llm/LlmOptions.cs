using System.ComponentModel.DataAnnotations;

namespace Safeguard.Stream.Classification.Llm;

/// <summary>The vLLM (OpenAI-compatible) endpoint that serves gpt-oss-safeguard.</summary>
public sealed class LlmOptions
{
    public const string SectionName = "Safeguard:Llm";

    /// <summary>Base URL including <c>/v1</c>. Defaults to <c>SAFEGUARD_LLM_URL</c> or a local vLLM.</summary>
    [Required]
    public Uri Endpoint { get; set; } = new("http://localhost:8000/v1");

    [Required]
    public string Model { get; set; } = "openai/gpt-oss-safeguard-20b";

    /// <summary>Bearer token for the model server. Only from the environment or a mounted secret; never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Requests in flight at once: enough to keep vLLM's continuous batching full, not so many that it queues.</summary>
    [Range(1, 1024)]
    public int MaxConcurrency { get; set; } = 16;

    /// <summary>One attempt's limit. Reasoning takes seconds; the 100 s SDK default is kept as the ceiling.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Attempts per (edit, policy) for transport errors (5xx, timeouts) and unusable answers.</summary>
    [Range(1, 10)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>
    /// Output cap including reasoning. Null (the default) sends none: a low cap makes the model spend it on reasoning
    /// and return empty content with <c>finish_reason: "length"</c>.
    /// </summary>
    [Range(256, 131072)]
    public int? MaxOutputTokens { get; set; }

    /// <summary>Ask for token logprobs so the verdict gets a probability.</summary>
    public bool RequestLogProbabilities { get; set; } = true;

    [Range(0, 20)]
    public int TopLogProbabilities { get; set; } = 5;

    /// <summary>Diff characters sent per edit (the token budget of the enrichment issue replaces this).</summary>
    [Range(200, 1_000_000)]
    public int MaxDiffCharacters { get; set; } = 6_000;
}
