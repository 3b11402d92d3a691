using System.ClientModel;
using System.ClientModel.Primitives;
using System.Runtime.CompilerServices;
using OpenAI;
using OpenAI.Chat;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Safeguard.Stream.Core.Prompts;

namespace Safeguard.Stream.Classification.Llm;

/// <summary>
/// Asks gpt-oss-safeguard (via vLLM's Chat Completions API, through the official OpenAI SDK) whether an edit
/// violates a policy. The policy is the first message, byte-identical for every edit (vLLM's prefix cache): by default
/// a <c>developer</c> message that starts with <c># Instructions</c>, the form the model was trained on
/// (<see cref="LlmOptions.PolicyRole"/>); the edit is the user message (<see cref="EditPromptRenderer"/>).
/// <para>Two layers of retries, each with one job and its own count (a third, the outage, is the stage's):</para>
/// <list type="number">
/// <item><b>Transport</b> (Polly; the SDK's own retries are off): 5xx (including vLLM's empty-body 500), 408, 429,
/// attempt timeouts and connection errors are retried with exponential backoff and jitter, or after the server's
/// <c>Retry-After</c>, up to <see cref="LlmOptions.MaxRetries"/> times for the whole classification (every answer
/// attempt draws on the same budget); a circuit breaker stops hammering a server that keeps failing. The pipeline is
/// registered by key (<see cref="ClassificationHostingExtensions.ClassificationTransportPipelineKey"/>). When the
/// budget is spent, or the circuit is open, <see cref="LlmUnavailableException"/> tells the stage to wait: no verdict
/// is guessed. The answer loop never retries a transport error.</item>
/// <item><b>Answer</b> (up to <see cref="LlmOptions.MaxAttempts"/>), each shape with a defined outcome:
/// <c>finish_reason: "length"</c> without a usable answer → retry one reasoning-effort step lower (and with twice the
/// output cap, when one is set), then error verdict <c>length</c>; HTTP 400 for context length → retry with half the
/// diff budget, then error verdict <c>context_length</c> (vLLM 0.14's gpt-oss path words it "max_tokens must be at least 1,
/// got -N", newer and OpenAI-style servers "maximum context length"); malformed or partial verdict JSON, empty content →
/// retry, then error verdict <c>unparsable_verdict</c> / <c>empty_content</c>; a response body that is not valid
/// completion JSON → retry, then error verdict <c>malformed_response</c>; a verdict outside 0/1 → error verdict
/// <c>verdict_out_of_range</c> at once. Empty content with <c>finish_reason: "stop"</c> and a verdict at the end of the
/// reasoning (vLLM 0.11.x puts an answer without an analysis part there; a malformed final header does the same) is
/// read from the reasoning, logged once. 401, 403 and 404 (key, model, endpoint: <see cref="LlmServerProblem"/>)
/// throw <see cref="LlmMisconfiguredException"/>: the stage pauses and nothing is dead-lettered. Any other 4xx
/// throws <see cref="LlmRejectedException"/>, which dead-letters the edit.</item>
/// </list>
/// Every HTTP request holds a slot of the shared <see cref="AdaptiveConcurrencyLimiter"/> and reports its latency
/// per completion token, or a drop (timeout, 5xx, 429), to it.
/// </summary>
public sealed partial class SafeguardClassifierClient
{
    private readonly ChatClient _chat;
    private readonly LlmOptions _options;
    private readonly AdaptiveConcurrencyLimiter _limiter;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SafeguardClassifierClient> _logger;
    private readonly ResiliencePipeline _transport;
    private readonly ResiliencePipeline _attemptTimeout;
    private readonly LlmServerStatus _status;

    // Every request of an edit carries two long texts: its instructions (a policy's body or a bundle's, the same for
    // every edit) and the edit's prompt (the same for every policy). Each is rendered and JSON-escaped once and kept
    // beside the object it comes from (the instructions string; the diff enrichment made for the edit), so an edit's
    // five requests copy bytes instead of rendering and escaping them five times (BENCHMARKS.md, "Where the worker's
    // CPU goes"). The entries go with their keys.
    private readonly ConditionalWeakTable<string, EncodedText> _instructionMessages = new();
    private readonly ConditionalWeakTable<DiffText, EncodedPrompt> _prompts = new();
    private int _reasoningShapeLogged;

    public SafeguardClassifierClient(
        IOptions<LlmOptions> options,
        AdaptiveConcurrencyLimiter limiter,
        TimeProvider timeProvider,
        ILogger<SafeguardClassifierClient> logger,
        [FromKeyedServices(ClassificationHostingExtensions.ClassificationTransportPipelineKey)] ResiliencePipeline transport,
        LlmServerStatus? status = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _limiter = limiter;
        _timeProvider = timeProvider;
        _logger = logger;
        _transport = transport;
        _status = status ?? new LlmServerStatus(Microsoft.Extensions.Logging.Abstractions.NullLogger<LlmServerStatus>.Instance);
        _chat = CreateChatClient(_options);

        _attemptTimeout = new ResiliencePipelineBuilder { TimeProvider = timeProvider }.AddTimeout(_options.RequestTimeout).Build();
    }

    public string Model => _options.Model;

    /// <summary>The shared limit on requests in flight (for metrics: <c>CurrentLimit</c>, <c>InFlight</c>).</summary>
    public AdaptiveConcurrencyLimiter Limiter => _limiter;

    /// <summary>Whether the server is refusing requests for a configuration reason (read by <c>/health</c>).</summary>
    public LlmServerStatus Status => _status;

    /// <summary>
    /// The policy message exactly as sent: role and text. Deterministic per policy and setting, so the first message is
    /// byte-identical for every edit and vLLM's prefix cache holds it.
    /// </summary>
    public static (string Role, string Text) PolicyMessage(Policy policy, LlmPolicyRole role)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return InstructionsMessage(policy.Body, role);
    }

    /// <summary>The first message for instructions: one policy's body, or a bundle's instructions.</summary>
    private static (string Role, string Text) InstructionsMessage(string instructions, LlmPolicyRole role) =>
        role == LlmPolicyRole.System ? ("system", instructions) : ("developer", DeveloperInstructionsHeader + instructions);

    /// <summary>
    /// The SDK's chat client for these options: the key (vLLM accepts any without <c>--api-key</c>), no SDK retries
    /// (the transport pipeline retries), and a network timeout only as a backstop to the per-attempt timeout. The load
    /// test builds its clients here too, so it measures what the worker sends.
    /// </summary>
    public static ChatClient CreateChatClient(LlmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ChatClient(
            options.Model,
            new ApiKeyCredential(string.IsNullOrEmpty(options.ApiKey) ? "EMPTY" : options.ApiKey),
            new OpenAIClientOptions
            {
                Endpoint = options.Endpoint,
                RetryPolicy = new ClientRetryPolicy(0),
                NetworkTimeout = options.RequestTimeout + TimeSpan.FromSeconds(5),
            });
    }

    /// <summary>How the model's chat template opens a developer message (gpt-oss harmony, Hugging Face template).</summary>
    public const string DeveloperInstructionsHeader = "# Instructions\n\n";

    /// <summary>Classifies one edit under one policy (see the class summary for every outcome).</summary>
    public async Task<PolicyVerdict> ClassifyAsync(Policy policy, ClassificationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(request);

        var run = StartRun(policy.ReasoningEffort);
        var budget = _options.MaxDiffCharacters;
        var truncated = false;
        string? lastError = null;
        string? finishReason = null;
        for (var attempt = 1; attempt <= _options.MaxAttempts; attempt++)
        {
            var diff = request.Diff.TruncateTo(budget);
            truncated = diff.Truncated;
            var body = WriteRequest(policy.Body, request.Edit, diff, run);

            var sent = await AttemptAsync(body, run.Retries, cancellationToken);
            if (sent.ContextTooLong)
            {
                lastError = VerdictError.ContextLength;
                var smaller = Math.Min(budget, diff.CharacterCount) / 2;
                Log.ContextTooLong(_logger, policy.Id, request.Edit.WikiId, request.Edit.RevId, attempt, smaller);
                if (smaller < _options.MinDiffCharacters)
                {
                    break;
                }

                budget = smaller;
                continue;
            }

            if (sent.Answer is not { } answer)
            {
                lastError = VerdictError.MalformedResponse;
                Log.UnusableAnswer(_logger, policy.Id, request.Edit.WikiId, request.Edit.RevId, attempt, sent.Malformed!);
                continue;
            }

            run.Add(answer);
            finishReason = answer.FinishReason;
            var content = answer.Content;
            var stoppedByLength = answer.StoppedByLength;
            if (string.IsNullOrWhiteSpace(content) && answer.FinishReason == "stop" && VerdictParser.LastVerdictObject(answer.Reasoning) is { } inReasoning)
            {
                content = inReasoning;
                if (Interlocked.Exchange(ref _reasoningShapeLogged, 1) == 0)
                {
                    Log.VerdictInReasoning(_logger, _options.Endpoint);
                }
            }

            if (!VerdictParser.TryParse(content, out var parsed, out var parseError, out var failure))
            {
                if (failure == VerdictParseFailure.OutOfRange)
                {
                    Log.UnusableAnswer(_logger, policy.Id, request.Edit.WikiId, request.Edit.RevId, attempt, VerdictError.VerdictOutOfRange);
                    return Verdict(policy, run, truncated, finishReason) with
                    {
                        Status = VerdictStatus.Error,
                        Error = VerdictError.VerdictOutOfRange,
                        Reasoning = _options.StoreReasoning ? answer.Reasoning : null,
                    };
                }

                if (stoppedByLength)
                {
                    lastError = VerdictError.Length;
                    run.ThinkLess();
                }
                else
                {
                    lastError = string.IsNullOrWhiteSpace(content) ? VerdictError.EmptyContent : VerdictError.UnparsableVerdict;
                    if (content is null && answer.FinishReason == "stop")
                    {
                        // The model finished, yet no final message reached content and the reasoning holds no verdict
                        // (a malformed final-channel header, vllm#45736): say so, as this is the server's doing.
                        parseError = "content null with finish_reason stop and no verdict in the reasoning: the server lost the final message (malformed harmony final header)";
                    }
                }

                Log.UnusableAnswer(_logger, policy.Id, request.Edit.WikiId, request.Edit.RevId, attempt, lastError + ": " + parseError);
                continue;
            }

            return OkVerdict(policy, run, truncated, answer, parsed, VerdictProbability.FromLogProbabilities(answer.Tokens, parsed.Violation, content));
        }

        return Verdict(policy, run, truncated, finishReason) with
        {
            Status = VerdictStatus.Error,
            Error = lastError ?? VerdictError.NoAttempts,
        };
    }

    /// <summary>
    /// One request exactly as <see cref="ClassifyAsync"/>'s first attempt sends it, and the answer as the server gave it:
    /// no answer-level retries, no verdict. For <c>safeguard llm check</c>, which inspects the answer's shape.
    /// Throws <see cref="LlmMisconfiguredException"/>, <see cref="ClientResultException"/> (other HTTP errors),
    /// <see cref="MalformedResponseException"/>, or a transport exception.
    /// </summary>
    public Task<ChatAnswer> ExchangeAsync(Policy policy, EditEvent edit, DiffText diff, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(edit);
        ArgumentNullException.ThrowIfNull(diff);
        return SendCheckedAsync(WriteRequest(policy.Body, edit, diff.TruncateTo(_options.MaxDiffCharacters), StartRun(policy.ReasoningEffort)), null, cancellationToken);
    }

    /// <summary>The request for <paramref name="instructions"/> (a policy's body or a bundle's) and the edit, as <paramref name="run"/>'s next attempt asks.</summary>
    private BinaryData WriteRequest(string instructions, EditEvent edit, DiffText diff, Run run)
    {
        var message = _instructionMessages.GetValue(instructions, i =>
        {
            var (role, text) = InstructionsMessage(i, _options.PolicyRole);
            return new EncodedText(role, JsonEncodedText.Encode(text));
        });
        if (!_prompts.TryGetValue(diff, out var prompt) || !ReferenceEquals(prompt.Edit, edit))
        {
            prompt = new EncodedPrompt(edit, JsonEncodedText.Encode(EditPromptRenderer.Render(edit, diff)));
            _prompts.AddOrUpdate(diff, prompt);
        }

        return ChatExchange.WriteRequest(_options.Model, message.Role, message.Text, prompt.Text, run.Effort, run.MaxOutputTokens,
            _options.RequestLogProbabilities ? _options.TopLogProbabilities : null);
    }

    private sealed record EncodedText(string Role, JsonEncodedText Text);

    private sealed record EncodedPrompt(EditEvent Edit, JsonEncodedText Text);

    private PolicyVerdict Verdict(Policy policy, Run run, bool truncated, string? finishReason) => new()
    {
        PolicyId = policy.Id,
        PolicyVersion = policy.Version,
        Status = VerdictStatus.Ok,
        Mode = policy.Mode,
        Visibility = policy.Visibility,
        ReasoningEffort = run.Effort,
        Model = _options.Model,
        PromptTokens = run.PromptTokens,
        CompletionTokens = run.CompletionTokens,
        CachedTokens = run.CachedTokens,
        LatencyMs = (long)_timeProvider.GetElapsedTime(run.Started).TotalMilliseconds,
        InputTruncated = truncated,
        FinishReason = finishReason,
        ClassifiedAt = _timeProvider.GetUtcNow(),
    };

    /// <summary>
    /// A usable answer's verdict, separate or bundled: <paramref name="probability"/> is P(violation) from the verdict
    /// digit's logprobs, or null (nothing measured; the documented fallback decides), and the edit is flagged when it
    /// violates at or above the policy's threshold. Shadow mode keeps that would-be decision in Flagged too; sinks read
    /// Mode (would_flag, ignored by the moderators' view).
    /// </summary>
    private PolicyVerdict OkVerdict(Policy policy, Run run, bool truncated, ChatAnswer answer, ParsedVerdict parsed, double? probability)
    {
        var score = probability ?? VerdictProbability.Fallback(parsed);
        return Verdict(policy, run, truncated, answer.FinishReason) with
        {
            Status = VerdictStatus.Ok,
            Violation = parsed.Violation,
            Probability = probability,
            Category = parsed.Category,
            Rationale = parsed.Rationale,
            Reasoning = _options.StoreReasoning ? answer.Reasoning : null,
            Flagged = parsed.Violation && score >= policy.Threshold,
        };
    }

    private static ReasoningEffort Lower(ReasoningEffort effort) => effort switch
    {
        ReasoningEffort.High => ReasoningEffort.Medium,
        _ => ReasoningEffort.Low,
    };

    /// <summary>One request's outcome as both answer loops act on it: an answer, a prompt over the context, or a malformed response.</summary>
    private readonly record struct Attempt(ChatAnswer? Answer, bool ContextTooLong, string? Malformed);

    /// <summary>
    /// Sends one request (with the transport retries) and sorts what came back for the answer loops of
    /// <see cref="ClassifyAsync"/> and <see cref="ClassifyBundleAsync"/>: any other 4xx throws
    /// <see cref="LlmRejectedException"/> (retrying cannot help), an outage <see cref="LlmUnavailableException"/>.
    /// </summary>
    private async Task<Attempt> AttemptAsync(BinaryData body, RetryBudget retries, CancellationToken cancellationToken)
    {
        try
        {
            return new Attempt(await SendCheckedAsync(body, retries, cancellationToken), false, null);
        }
        catch (ClientResultException ex) when (IsContextLength(ex))
        {
            return new Attempt(null, true, null);
        }
        catch (ClientResultException ex) when (!IsTransient(ex))
        {
            // Any other 4xx: this request is wrong, and retrying it cannot help.
            throw new LlmRejectedException($"model server rejected the request: {Describe(ex)}", ex);
        }
        catch (MalformedResponseException ex)
        {
            return new Attempt(null, false, ex.Message);
        }
        catch (Exception ex) when (ex is ClientResultException or HttpRequestException or TimeoutRejectedException or BrokenCircuitException
                                   && !cancellationToken.IsCancellationRequested)
        {
            throw new LlmUnavailableException($"model server unavailable: {Describe(ex)}", ex);
        }
    }

    private Run StartRun(ReasoningEffort effort) => new(_timeProvider.GetTimestamp(), effort, _options.MaxOutputTokens, _options.MaxRetries);

    /// <summary>
    /// What one classification carries from attempt to attempt, in <see cref="ClassifyAsync"/> and
    /// <see cref="ClassifyBundleAsync"/> alike: when it started, the tokens its answers used, the transport retries it
    /// has left, and the reasoning effort and output cap its next attempt asks for.
    /// </summary>
    private sealed class Run(long started, ReasoningEffort effort, int? maxOutputTokens, int retries)
    {
        public long Started { get; } = started;
        public ReasoningEffort Effort { get; private set; } = effort;
        public int? MaxOutputTokens { get; private set; } = maxOutputTokens;
        public RetryBudget Retries { get; } = new() { Count = retries };
        public int PromptTokens { get; private set; }
        public int CompletionTokens { get; private set; }
        public int CachedTokens { get; private set; }

        public void Add(ChatAnswer answer)
        {
            PromptTokens += answer.PromptTokens;
            CompletionTokens += answer.CompletionTokens;
            CachedTokens += answer.CachedTokens;
        }

        /// <summary>The reasoning used the output budget (<c>finish_reason: length</c>): think less next time and, where capped, allow more.</summary>
        public void ThinkLess()
        {
            Effort = Lower(Effort);
            MaxOutputTokens = MaxOutputTokens is { } cap ? Math.Min(cap * 2, 131_072) : null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, EventName = "UnusableAnswer", Level = LogLevel.Warning,
            Message = "Policy {PolicyId} on {WikiId}:{RevId}: unusable answer on attempt {Attempt} ({Problem})")]
        public static partial void UnusableAnswer(ILogger logger, string policyId, string wikiId, long revId, int attempt, string problem);

        [LoggerMessage(EventId = 3002, EventName = "ContextTooLong", Level = LogLevel.Warning,
            Message = "Policy {PolicyId} on {WikiId}:{RevId}: prompt over the model's context on attempt {Attempt}; next diff budget {DiffCharacters} characters")]
        public static partial void ContextTooLong(ILogger logger, string policyId, string wikiId, long revId, int attempt, int diffCharacters);

        [LoggerMessage(EventId = 3003, EventName = "RetryingRequest", Level = LogLevel.Information,
            Message = "Model request failed ({Problem}); try {Attempt} after {Delay}")]
        public static partial void RetryingRequest(ILogger logger, int attempt, string problem, TimeSpan delay);

        [LoggerMessage(EventId = 3004, EventName = "CircuitOpened", Level = LogLevel.Error,
            Message = "Model server keeps failing; circuit open for {BreakDuration}")]
        public static partial void CircuitOpened(ILogger logger, TimeSpan breakDuration);

        [LoggerMessage(EventId = 3005, EventName = "VerdictInReasoning", Level = LogLevel.Warning,
            Message = "The model server at {Endpoint} answered with empty content and the verdict at the end of the reasoning " +
                      "(vLLM 0.11.x's answer shape, or a malformed final-channel header); verdicts are read from the reasoning. " +
                      "vLLM 0.13 or later puts the answer in content. Logged once.")]
        public static partial void VerdictInReasoning(ILogger logger, Uri endpoint);
    }
}
