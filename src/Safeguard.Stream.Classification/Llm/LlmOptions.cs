namespace Safeguard.Stream.Classification.Llm;

/// <summary>
/// The vLLM (OpenAI-compatible) endpoint that serves gpt-oss-safeguard. The circuit breaker and <c>MaxRetryAfter</c>
/// are the shared <see cref="TransportResilienceOptions"/>.
/// </summary>
public sealed class LlmOptions : TransportResilienceOptions
{
    public const string SectionName = "Safeguard:Llm";

    /// <summary>Base URL including <c>/v1</c>. Defaults to <c>SAFEGUARD_LLM_URL</c> or a local vLLM.</summary>
    [Required]
    public Uri Endpoint { get; set; } = new("http://localhost:8000/v1");

    [Required]
    public string Model { get; set; } = "openai/gpt-oss-safeguard-20b";

    /// <summary>Bearer token for the model server. Only from the environment or a mounted secret; never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// The role the policy is sent in. <see cref="LlmPolicyRole.Developer"/> (the default) sends a <c>developer</c>
    /// message that starts with <c># Instructions</c>: the form gpt-oss-safeguard was trained on (its Hugging Face chat
    /// template renders a system or developer message that way), which vLLM 0.14 passes through as a raw developer
    /// message. <see cref="LlmPolicyRole.System"/> sends the bare policy as a <c>system</c> message, which vLLM 0.14
    /// renders as a second raw system message after its own: for servers that render roles differently. Compare the
    /// two with <c>safeguard eval --policy-role</c>.
    /// </summary>
    public LlmPolicyRole PolicyRole { get; set; } = LlmPolicyRole.Developer;

    /// <summary>
    /// Upper bound of the adaptive limit on model requests in flight (all edits and policies together), and the
    /// number of edits the classification stage works on at once.
    /// </summary>
    [Range(1, 1024)]
    public int MaxConcurrency { get; set; } = 16;

    /// <summary>Lower bound of the adaptive limit (capped to <see cref="MaxConcurrency"/>): the limiter never goes below it.</summary>
    [Range(1, 1024)]
    public int MinConcurrency { get; set; } = 2;

    /// <summary>
    /// Size the requests in flight by the server's own queue (vLLM's <c>vllm:num_requests_waiting</c> on
    /// <c>/metrics</c>) rather than by latency; falls back to latency when the metrics cannot be read.
    /// </summary>
    public bool SchedulerProbe { get; set; } = true;

    /// <summary>How often the server's queue is read.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan SchedulerProbeInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>vLLM's Prometheus endpoint; null derives it from <see cref="Endpoint"/> (its root without <c>/v1</c>, + <c>/metrics</c>).</summary>
    public Uri? MetricsEndpoint { get; set; }

    /// <summary>Where the adaptive limit starts (clamped to the bounds); null starts at <see cref="MinConcurrency"/>.</summary>
    [Range(1, 1024)]
    public int? InitialConcurrency { get; set; }

    /// <summary>One attempt's limit. Reasoning takes seconds; the 100 s SDK default is kept as the ceiling.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// Attempts per (edit, policy) for answers that can be retried (length, malformed, context length with a smaller
    /// diff). Only the answer loop counts these; transport errors are <see cref="MaxRetries"/>'s.
    /// </summary>
    [Range(1, 10)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>
    /// One request per edit for all the public policies that matched it (<see cref="Core.Prompts.PolicyBundle"/>)
    /// instead of one per policy. Off by default: bundling saves GPU time at some cost in accuracy, so measure it
    /// first with <c>safeguard eval --bundle</c>. Restricted policies are always classified on their own.
    /// </summary>
    public bool Bundle { get; set; }

    /// <summary>
    /// Skip a policy's request when the edit cannot violate it (<see cref="PreScreen"/>: formatting-only changes,
    /// MediaWiki-tagged reverts, nothing added for <c>judges: added</c> policies). On by default; each skip is counted.
    /// </summary>
    public bool PreScreen { get; set; } = true;

    /// <summary>
    /// Transport retries per (edit, policy), all its attempts together, for 5xx, 408, 429, attempt timeouts and
    /// connection errors (exponential backoff with jitter, or <c>Retry-After</c>). So one policy sends at most
    /// <see cref="MaxAttempts"/> + <c>MaxRetries</c> requests; when they are spent the server counts as unavailable
    /// and the classification stage holds the edit on its outage backoff.
    /// </summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 2;

    /// <summary>First transport retry delay; doubles per retry, with jitter. A <c>Retry-After</c> header overrides it.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Keep the model's reasoning (analysis channel) on the verdict (<c>PolicyVerdict.Reasoning</c>) for the audit
    /// table. Off by default: reasoning is long, and it may quote the edit.
    /// </summary>
    public bool StoreReasoning { get; set; }

    /// <summary>
    /// Output cap including reasoning. Null (the default) sends none: a low cap makes the model spend it on reasoning
    /// and return empty content with <c>finish_reason: "length"</c>.
    /// </summary>
    [Range(256, 131072)]
    public int? MaxOutputTokens { get; set; }

    /// <summary>Ask for token logprobs so the verdict gets a probability.</summary>
    public bool RequestLogProbabilities { get; set; } = true;

    /// <summary>
    /// Alternatives per generated token. The verdict's probability needs the two digits at the verdict's position
    /// (<see cref="VerdictProbability"/>), which the top two hold whenever the model hesitates between them; each
    /// alternative more costs every token of the answer (reasoning included) another JSON object to send and read.
    /// </summary>
    [Range(0, 20)]
    public int TopLogProbabilities { get; set; } = 2;

    /// <summary>
    /// A character ceiling on the diff sent per edit. The real budget is enrichment's o200k token budget
    /// (Safeguard:MediaWiki:MaxDiffTokens, 2,000 tokens); this ceiling sits above it and only matters after a 400 for
    /// context length, when it is halved for the next attempt.
    /// </summary>
    [Range(200, 1_000_000)]
    public int MaxDiffCharacters { get; set; } = 32_000;

    /// <summary>Halving the diff budget after a context-length error stops below this: the verdict is then an error.</summary>
    [Range(1, 1_000_000)]
    public int MinDiffCharacters { get; set; } = 200;

    /// <summary>The limiter these options describe.</summary>
    public AdaptiveConcurrencyLimiter CreateLimiter()
    {
        var min = Math.Min(MinConcurrency, MaxConcurrency);
        return new AdaptiveConcurrencyLimiter(min, MaxConcurrency, InitialConcurrency is { } initial ? Math.Clamp(initial, min, MaxConcurrency) : null);
    }
}

/// <summary>The chat role that carries the policy (<see cref="LlmOptions.PolicyRole"/>).</summary>
public enum LlmPolicyRole
{
    /// <summary>A <c>developer</c> message starting with <c># Instructions</c>.</summary>
    Developer,

    /// <summary>The bare policy as a <c>system</c> message.</summary>
    System,
}

[OptionsValidator]
internal sealed partial class LlmOptionsValidator : IValidateOptions<LlmOptions>
{
}

/// <summary>Cross-field rules of <see cref="LlmOptions"/>.</summary>
internal sealed class LlmOptionsCustomValidator : IValidateOptions<LlmOptions>
{
    public ValidateOptionsResult Validate(string? name, LlmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.MinDiffCharacters > options.MaxDiffCharacters
            ? ValidateOptionsResult.Fail($"{LlmOptions.SectionName}:MinDiffCharacters must not exceed 'MaxDiffCharacters'")
            : ValidateOptionsResult.Success;
    }
}
