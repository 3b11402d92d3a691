using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenAI;
using OpenAI.Chat;
using Polly;
using Polly.Retry;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.Core.Policies;
using Safeguard.Stream.Core.Prompts;
using Safeguard.Stream.Core.Verdicts;

namespace Safeguard.Stream.Classification.Llm;

/// <summary>
/// Asks gpt-oss-safeguard (via vLLM's Chat Completions API, through the official OpenAI SDK) whether an edit
/// violates a policy. The policy is the system message, byte-identical for every edit; the edit is the user message.
/// Polly owns retries (the SDK's own retry policy is switched off so attempts are not multiplied).
/// </summary>
public sealed partial class SafeguardClassifierClient
{
    private readonly ChatClient _chat;
    private readonly LlmOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SafeguardClassifierClient> _logger;
    private readonly ResiliencePipeline _transportRetry;

    public SafeguardClassifierClient(IOptions<LlmOptions> options, TimeProvider timeProvider, ILogger<SafeguardClassifierClient> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        _chat = new ChatClient(
            _options.Model,
            new ApiKeyCredential(string.IsNullOrEmpty(_options.ApiKey) ? "EMPTY" : _options.ApiKey),
            new OpenAIClientOptions
            {
                Endpoint = _options.Endpoint,
                RetryPolicy = new ClientRetryPolicy(0),
                NetworkTimeout = _options.RequestTimeout,
            });

        _transportRetry = new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(0, _options.MaxAttempts - 1),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(250),
                ShouldHandle = new PredicateBuilder().Handle<ClientResultException>(IsTransient)
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutException>(),
            })
            .Build();
    }

    public string Model => _options.Model;

    /// <summary>
    /// Classifies one edit under one policy. Unusable answers (empty, truncated by length, unparsable) are retried up to
    /// <see cref="LlmOptions.MaxAttempts"/> and then returned as an error verdict. Transport failures that outlast
    /// the retries throw <see cref="LlmUnavailableException"/>.
    /// </summary>
    public async Task<PolicyVerdict> ClassifyAsync(Policy policy, EnrichedEdit edit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(edit);
        var diff = edit.Diff.TruncateTo(_options.MaxDiffCharacters);
        var userMessage = EditPromptRenderer.Render(edit.Edit, diff);
        ChatMessage[] messages = [new SystemChatMessage(policy.Body), new UserChatMessage(userMessage)];

        var started = _timeProvider.GetTimestamp();
        int promptTokens = 0, completionTokens = 0, cachedTokens = 0;
        string? lastError = null;
        string? finishReason = null;
        for (var attempt = 1; attempt <= _options.MaxAttempts; attempt++)
        {
            ChatCompletion completion;
            try
            {
                completion = await _transportRetry.ExecuteAsync(
                    async ct => (await _chat.CompleteChatAsync(messages, CreateOptions(policy), ct)).Value, cancellationToken);
            }
            catch (ClientResultException ex) when (!IsTransient(ex))
            {
                // 400 (context too long, bad request) or 404 (unknown model): retrying the same request cannot help.
                throw new LlmRejectedException($"model server rejected the request: {Describe(ex)}", ex);
            }
            catch (Exception ex) when (ex is ClientResultException or HttpRequestException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                throw new LlmUnavailableException($"model server failed after {_options.MaxAttempts} attempts: {Describe(ex)}", ex);
            }

            promptTokens += completion.Usage?.InputTokenCount ?? 0;
            completionTokens += completion.Usage?.OutputTokenCount ?? 0;
            cachedTokens += completion.Usage?.InputTokenDetails?.CachedTokenCount ?? 0;
            finishReason = completion.FinishReason.ToString().ToLowerInvariant();

            var content = completion.Content.Count > 0 ? completion.Content[0].Text : null;
            if (completion.FinishReason == ChatFinishReason.Length && string.IsNullOrEmpty(content))
            {
                lastError = "length";
                Log.UnusableAnswer(_logger, policy.Id, edit.Edit.WikiId, edit.Edit.RevId, attempt, lastError);
                continue;
            }

            if (!VerdictParser.TryParse(content, out var parsed, out var parseError))
            {
                lastError = "unparsable_verdict";
                Log.UnusableAnswer(_logger, policy.Id, edit.Edit.WikiId, edit.Edit.RevId, attempt, parseError ?? lastError);
                continue;
            }

            var probability = VerdictProbability.FromLogProbabilities(completion.ContentTokenLogProbabilities, parsed.Violation);
            var score = probability ?? (parsed.Violation ? 1.0 : 0.0);
            return Verdict(policy, diff.Truncated, started, promptTokens, completionTokens, cachedTokens, finishReason) with
            {
                Status = VerdictStatus.Ok,
                Violation = parsed.Violation,
                Probability = probability,
                Category = parsed.Category,
                Rationale = parsed.Rationale,
                Flagged = parsed.Violation && score >= policy.Threshold,
            };
        }

        return Verdict(policy, diff.Truncated, started, promptTokens, completionTokens, cachedTokens, finishReason) with
        {
            Status = VerdictStatus.Error,
            Error = lastError,
        };
    }

    private PolicyVerdict Verdict(Policy policy, bool truncated, long started, int prompt, int completion, int cached, string? finishReason) => new()
    {
        PolicyId = policy.Id,
        PolicyVersion = policy.Version,
        Status = VerdictStatus.Ok,
        Mode = policy.Mode,
        Visibility = policy.Visibility,
        ReasoningEffort = policy.ReasoningEffort,
        Model = _options.Model,
        PromptTokens = prompt,
        CompletionTokens = completion,
        CachedTokens = cached,
        LatencyMs = (long)_timeProvider.GetElapsedTime(started).TotalMilliseconds,
        InputTruncated = truncated,
        FinishReason = finishReason,
        ClassifiedAt = _timeProvider.GetUtcNow(),
    };

    private ChatCompletionOptions CreateOptions(Policy policy)
    {
#pragma warning disable OPENAI001 // ReasoningEffortLevel is marked experimental in the SDK; vLLM maps it to harmony's "Reasoning:" header.
        var options = new ChatCompletionOptions
        {
            ReasoningEffortLevel = policy.ReasoningEffort switch
            {
                ReasoningEffort.High => ChatReasoningEffortLevel.High,
                ReasoningEffort.Medium => ChatReasoningEffortLevel.Medium,
                _ => ChatReasoningEffortLevel.Low,
            },
        };
#pragma warning restore OPENAI001
        if (_options.MaxOutputTokens is { } max)
        {
            options.MaxOutputTokenCount = max;
        }

        if (_options.RequestLogProbabilities)
        {
            options.IncludeLogProbabilities = true;
            options.TopLogProbabilityCount = _options.TopLogProbabilities;
        }

        return options;
    }

    private static bool IsTransient(ClientResultException ex) => ex.Status is 0 or 408 or 429 or >= 500;

    private static string Describe(Exception ex) => ex switch
    {
        ClientResultException { Status: > 0 } client => $"HTTP {client.Status}",
        _ => ex.GetType().Name,
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, EventName = "UnusableAnswer", Level = LogLevel.Warning,
            Message = "Policy {PolicyId} on {WikiId}:{RevId}: unusable answer on attempt {Attempt} ({Problem})")]
        public static partial void UnusableAnswer(ILogger logger, string policyId, string wikiId, long revId, int attempt, string problem);
    }
}

/// <summary>The model server refused this request (4xx): the edit is dead-lettered.</summary>
public sealed class LlmRejectedException : Exception
{
    public LlmRejectedException()
    {
    }

    public LlmRejectedException(string message)
        : base(message)
    {
    }

    public LlmRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The model server could not be reached or kept failing: the stage waits and tries again, never guesses.</summary>
public sealed class LlmUnavailableException : Exception
{
    public LlmUnavailableException()
    {
    }

    public LlmUnavailableException(string message)
        : base(message)
    {
    }

    public LlmUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
