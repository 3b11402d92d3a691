namespace Safeguard.Stream.Fakes;

/// <summary>Settings of <see cref="VllmSimulator"/>. Fault rates are probabilities in [0, 1].</summary>
public sealed record VllmSimulatorOptions
{
    /// <summary>Model id served (the only one <c>/v1/models</c> lists and chat requests may name).</summary>
    public string ModelName { get; init; } = "openai/gpt-oss-safeguard-20b";

    /// <summary>
    /// Context length (<c>--max-model-len</c>), reported by <c>/v1/models</c>. As in vLLM 0.14's gpt-oss path, a
    /// prompt of this many tokens or more is answered 400 (see <see cref="OverlongPrompt"/>), and the output budget is
    /// silently capped to what is left after the prompt (<c>finish_reason: "length"</c> when the answer needs more).
    /// </summary>
    public int MaxModelLen { get; init; } = 131072;

    /// <summary>The 400 a prompt of <see cref="MaxModelLen"/> tokens or more gets; vLLM 0.14's gpt-oss answer by default.</summary>
    public VllmOverlongPrompt OverlongPrompt { get; init; } = VllmOverlongPrompt.NegativeMaxTokens;

    /// <summary>
    /// <c>--api-key</c>: when set, every <c>/v1/*</c> request without <c>Authorization: Bearer KEY</c> gets HTTP 401
    /// <c>{"error":"Unauthorized"}</c>; <c>/health</c>, <c>/metrics</c> and <c>/version</c> stay open. Null: no key.
    /// </summary>
    public string? ApiKey { get; init; }

    /// <summary>
    /// <c>--enable-prompt-tokens-details</c>: report <c>usage.prompt_tokens_details.cached_tokens</c> on a prefix cache
    /// hit. Off (vLLM's default): <c>prompt_tokens_details</c> is always null.
    /// </summary>
    public bool EnablePromptTokensDetails { get; init; }

    /// <summary>Fixed service time per completion, used by the default <see cref="FixedLatencyModel"/>.</summary>
    public TimeSpan Latency { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Replaces the latency logic (e.g. a continuous-batching capacity model); null = <see cref="FixedLatencyModel"/>.</summary>
    public IVllmLatencyModel? LatencyModel { get; init; }

    /// <summary>Share of completions answered with HTTP 500 and vLLM's JSON error body (what vLLM's harmony parse failures do).</summary>
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

    /// <summary>
    /// The fault every request past the end of <see cref="FaultPlan"/> gets (<c>--llm-fault-mode</c>), so that a
    /// manual check such as <c>safeguard llm check</c> sees one failure on every answer. None by default.
    /// </summary>
    public VllmFault FaultMode { get; init; }

    /// <summary><c>Retry-After</c> sent with <see cref="VllmFault.Overloaded"/> and <see cref="VllmFault.TooManyRequests"/>; null sends none.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>
    /// Keep every chat completion request body and what the server made of it (see
    /// <see cref="VllmSimulator.CapturedRequests"/> and <see cref="VllmSimulator.CapturedPrompts"/>). Off by default.
    /// </summary>
    public bool CaptureRequests { get; init; }

    /// <summary>vLLM's prefix cache block size; cached token counts are multiples of it.</summary>
    public int PrefixCacheBlockSize { get; init; } = 16;
}

/// <summary>A scripted fault for one request (see <see cref="VllmSimulatorOptions.FaultPlan"/>).</summary>
public enum VllmFault
{
    /// <summary>A normal answer.</summary>
    None,

    /// <summary>
    /// HTTP 500 with vLLM's JSON body, <c>{"error":{"message":…,"type":"Internal Server Error","param":null,"code":500}}</c>:
    /// what an exception in the chat handler (an openai-harmony parse failure) turns into.
    /// </summary>
    ServerError,

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

    /// <summary>
    /// <c>content: null</c> with <c>finish_reason: "stop"</c> and the reasoning present: the model finished, but the
    /// final message did not reach <c>content</c> (the shape of vllm#45736, a malformed final header).
    /// </summary>
    ContentNullStop,

    /// <summary>
    /// vLLM 0.11.x's shape: <c>content</c> is <c>""</c> and the whole answer, verdict JSON included, is in
    /// <c>reasoning</c>/<c>reasoning_content</c> (0.11 assigns harmony messages by position; an answer without an
    /// analysis message lands in reasoning). <c>finish_reason</c> is <c>"stop"</c>.
    /// </summary>
    ReasoningOnly,

    /// <summary>A bundled answer (several policies in one request) that leaves out the last policy's verdict; a single-policy answer is unchanged.</summary>
    BundleMissingVerdict,
}

/// <summary>The names of <see cref="VllmFault"/> on the command line (<c>--llm-fault-mode</c>): the enum name in kebab case.</summary>
public static class VllmFaultNames
{
    /// <summary>Every name, comma-separated, for usage text.</summary>
    public static string All => string.Join(", ", Enum.GetValues<VllmFault>().Select(Name));

    /// <summary><paramref name="fault"/>'s name: <c>ContentNullStop</c> → <c>content-null-stop</c>.</summary>
    public static string Name(VllmFault fault) =>
        string.Concat(fault.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    /// <summary>The fault named <paramref name="name"/>; <see cref="FormatException"/> naming the valid ones otherwise.</summary>
    public static VllmFault Parse(string name) =>
        Enum.GetValues<VllmFault>().Where(f => Name(f) == name).Select(f => (VllmFault?)f).FirstOrDefault()
        ?? throw new FormatException($"--llm-fault-mode must be one of {All}, got '{name}'.");
}

/// <summary>How <see cref="VllmSimulator"/> answers a prompt of <see cref="VllmSimulatorOptions.MaxModelLen"/> tokens or more.</summary>
public enum VllmOverlongPrompt
{
    /// <summary>
    /// vLLM 0.14 with gpt-oss: the input check is skipped, max_tokens goes negative and SamplingParams rejects it:
    /// 400 <c>{"error":{"message":"max_tokens must be at least 1, got -N. (parameter=max_tokens, value=-N)","type":"BadRequestError","param":"max_tokens","code":400}}</c>,
    /// where -N is max_model_len minus the prompt tokens.
    /// </summary>
    NegativeMaxTokens,

    /// <summary>
    /// The input check of vLLM's other paths: 400 "This model's maximum context length is M tokens. However, your
    /// request has P input tokens. Please reduce the length of the input messages." (<c>param: null</c>).
    /// </summary>
    MaximumContextLength,
}

/// <summary>What the simulator made of one request (see <see cref="VllmSimulator.CapturedPrompts"/>).</summary>
/// <param name="Body">The request body as received.</param>
/// <param name="PolicyRole">Role of the first message (<c>system</c>, <c>developer</c>, …); null when the request did not parse.</param>
/// <param name="RenderedPrompt">The prompt as vLLM 0.14 renders it for gpt-oss (harmony tokens written out); null when the request did not parse.</param>
/// <param name="PromptTokens">Its token count (<c>usage.prompt_tokens</c>); null when the request did not parse.</param>
public sealed record VllmCapturedRequest(string Body, string? PolicyRole, string? RenderedPrompt, int? PromptTokens);
