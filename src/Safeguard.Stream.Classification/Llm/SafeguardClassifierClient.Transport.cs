using System.ClientModel;
using System.ClientModel.Primitives;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Safeguard.Stream.Classification.Llm;

/// <summary>How one request reaches the server: the transport pipeline, the limiter slot, the attempt timeout.</summary>
public sealed partial class SafeguardClassifierClient
{
    private static readonly ResiliencePropertyKey<RetryBudget> s_retriesLeft = new("safeguard.llm.retries_left");

    /// <summary>
    /// The transport pipeline, registered by key (<see cref="ClassificationHostingExtensions.ClassificationTransportPipelineKey"/>):
    /// transient failures (5xx, 408, 429, attempt timeouts, connection errors) are retried with exponential backoff and
    /// jitter or after the server's <c>Retry-After</c>, at most <see cref="LlmOptions.MaxRetries"/> times for one
    /// classification (the budget its answer attempts share, carried in the resilience context); a circuit breaker
    /// stops hammering a server that keeps failing. Its <see cref="TimeProvider"/> is the one in DI.
    /// </summary>
    internal static void ConfigureTransport(ResiliencePipelineBuilder pipeline, IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<LlmOptions>>().Value;
        var logger = services.GetRequiredService<ILogger<SafeguardClassifierClient>>();
        var timeProvider = services.GetRequiredService<TimeProvider>();
        var transient = new PredicateBuilder()
            .Handle<ClientResultException>(IsTransient)
            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>();
        Func<RetryPredicateArguments<object>, ValueTask<bool>> retryTransient = transient;
        // MaxRetries = 0 is a valid setting (no transport retries); Polly's retry strategy needs at least one.
        if (options.MaxRetries > 0)
        {
            pipeline.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                // A classification's retries are one budget over its answer attempts, so MaxAttempts does not multiply them.
                ShouldHandle = args => args.Context.Properties.TryGetValue(s_retriesLeft, out var left) && left.Count <= 0
                    ? ValueTask.FromResult(false)
                    : retryTransient(args),
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is ClientResultException ex ? RetryAfter(ex, timeProvider.GetUtcNow(), options.MaxRetryAfter) : null),
                OnRetry = args =>
                {
                    if (args.Context.Properties.TryGetValue(s_retriesLeft, out var left))
                    {
                        left.Count--;
                    }

                    var problem = Describe(args.Outcome.Exception);
                    Log.RetryingRequest(logger, args.AttemptNumber + 1, problem, args.RetryDelay);
                    return default;
                },
            });
        }

        var breaker = new CircuitBreakerStrategyOptions
        {
            ShouldHandle = transient,
            OnOpened = args =>
            {
                Log.CircuitOpened(logger, args.BreakDuration);
                return default;
            },
        };
        options.ApplyTo(breaker);
        pipeline.AddCircuitBreaker(breaker);
        // The client logs each retry itself (RetryingRequest, with the problem and the delay): Polly's per-try lines go to Debug.
        OutageBackoff.UseStageLogging(pipeline, services);
    }

    /// <summary>
    /// Sends through the transport pipeline and keeps <see cref="Status"/> current: 401/403 (key) and 404 (model,
    /// endpoint) would fail every request the same way until a setting changes, so they become
    /// <see cref="LlmMisconfiguredException"/>; any answer clears the problem.
    /// </summary>
    private async Task<ChatAnswer> SendCheckedAsync(BinaryData request, RetryBudget? retries, CancellationToken cancellationToken)
    {
        try
        {
            var answer = await SendAsync(request, retries, cancellationToken);
            _status.Accepted();
            return answer;
        }
        catch (ClientResultException ex) when (!IsTransient(ex) && LlmServerProblem.FromResponse(ex.Status, Body(ex), _options) is { } problem)
        {
            _status.Report(problem);
            throw new LlmMisconfiguredException(problem, ex);
        }
    }

    private async Task<ChatAnswer> SendAsync(BinaryData request, RetryBudget? retries, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        if (retries is not null)
        {
            context.Properties.Set(s_retriesLeft, retries);
        }

        try
        {
            return await _transport.ExecuteAsync(static async (ctx, state) => await state.Client.AttemptAsync(state.Request, ctx.CancellationToken), context, (Client: this, Request: request));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>One HTTP try: a limiter slot, the attempt timeout, the answer read.</summary>
    private async Task<ChatAnswer> AttemptAsync(BinaryData request, CancellationToken cancellationToken)
    {
        using var lease = await _limiter.AcquireAsync(cancellationToken);
        var sent = _timeProvider.GetTimestamp();
        try
        {
            // The SDK's protocol method: its pipeline, key and error mapping (non-2xx → ClientResultException);
            // the body is read by ChatExchange, not by the SDK's typed model (see ChatExchange).
            var result = await _attemptTimeout.ExecuteAsync(
                async t => await _chat.CompleteChatAsync(BinaryContent.Create(request), new RequestOptions { CancellationToken = t }), cancellationToken);
            var answer = ChatExchange.ReadAnswer(result.GetRawResponse().Content);
            lease.Succeeded(_timeProvider.GetElapsedTime(sent), answer.CompletionTokens);
            return answer;
        }
        catch (Exception ex) when (ex is TimeoutRejectedException or HttpRequestException || ex is ClientResultException client && IsTransient(client))
        {
            lease.Dropped();
            throw;
        }
    }

    /// <summary>The transport retries a classification has left (<see cref="LlmOptions.MaxRetries"/>, shared by its attempts).</summary>
    private sealed class RetryBudget
    {
        public int Count { get; set; }
    }
}
