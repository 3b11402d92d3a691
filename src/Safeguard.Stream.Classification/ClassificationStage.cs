using Polly.Retry;

namespace Safeguard.Stream.Classification;

/// <summary>
/// Runs every matching policy over each enriched edit. Up to <see cref="LlmOptions.MaxConcurrency"/> edits are
/// worked on at once and the policies of one edit run concurrently; how many requests actually reach the model at
/// once is decided by the client's shared <see cref="AdaptiveConcurrencyLimiter"/>, so vLLM's continuous batching
/// stays full without being overloaded. An outage of the model server blocks the affected requests (backpressure,
/// nothing is dropped) until it answers again. So does a server that refuses every request for a configuration
/// reason (wrong API key, unknown model, wrong endpoint: <see cref="LlmServerProblem"/>): classification pauses with
/// no verdict and no dead letter, so the checkpoint does not move, and resumes by itself once the server accepts the
/// requests. Only a request the server rejects for itself (another 4xx) dead-letters that edit. The wait is the outage
/// backoff (<see cref="OutageBackoff"/> from 1 s, the pipeline
/// <see cref="ClassificationHostingExtensions.ClassificationOutagePipelineKey"/>); it is the only layer that retries
/// an outage, after the client's transport retries for one request have given up.
/// </summary>
public sealed partial class ClassificationStage(
    PipelineChannels channels,
    SafeguardClassifierClient client,
    IOptions<LlmOptions> options,
    TimeProvider timeProvider,
    SafeguardTelemetry telemetry,
    [FromKeyedServices(ClassificationHostingExtensions.ClassificationOutagePipelineKey)] ResiliencePipeline outageRetry,
    ILogger<ClassificationStage> logger) : BackgroundService
{
    private readonly PipelineChannels.ResultWriter _results = channels.AddResultWriter();

    /// <summary>
    /// The outage retry: a model server that is unavailable (<see cref="LlmUnavailableException"/>) or refuses every
    /// request for a configuration reason (<see cref="LlmMisconfiguredException"/>) is asked again, without end, until it answers.
    /// </summary>
    internal static void ConfigureOutageRetry(ResiliencePipelineBuilder pipeline, IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILogger<ClassificationStage>>();
        var retry = new RetryStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is LlmUnavailableException or LlmMisconfiguredException),
            OnRetry = args =>
            {
                // A misconfiguration is logged once per change by LlmServerStatus, not here: every waiting edit lands here.
                if (args.Outcome.Exception is LlmUnavailableException ex)
                {
                    args.Context.Properties.GetValue(OutageBackoff.ActivityKey, null)?.AddException(ex);
                    Log.ModelUnavailable(logger, ex.Message, args.RetryDelay);
                }

                return default;
            },
        };
        OutageBackoff.Apply(retry, TimeSpan.FromSeconds(1));
        pipeline.AddRetry(retry);
        OutageBackoff.UseStageLogging(pipeline, services);
    }

    /// <summary>The shared limit on model requests (for metrics: <c>CurrentLimit</c>, <c>InFlight</c>).</summary>
    public AdaptiveConcurrencyLimiter Limiter => client.Limiter;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        telemetry.ObserveLlmConcurrency(() => (Limiter.InFlight, Limiter.CurrentLimit));
        telemetry.ObserveLlmServerQueue(() => Limiter.ServerWaiting);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxConcurrency, CancellationToken = stoppingToken };
        await StageLoop.RunAsync(
            () => Parallel.ForEachAsync(channels.Enriched.Reader.ReadAllAsync(stoppingToken), parallel, async (edit, ct) =>
            {
                var result = await ClassifyEditAsync(edit, ct);
                await channels.Results.Writer.WriteAsync(result, ct);
            }),
            ex => Log.StageFailed(logger, ex), _results, stoppingToken);
    }

    internal async Task<PipelineResult> ClassifyEditAsync(EnrichedEdit edit, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        using var activity = telemetry.ActivitySource.StartActivity("classify edit", ActivityKind.Internal, edit.Context.TraceParent);
        var outcomes = await Task.WhenAll(edit.Policies.Select(policy => ClassifyPolicyAsync(policy, edit, activity, cancellationToken)));
        telemetry.StageDuration.Record(timeProvider.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>(SafeguardTelemetry.Tags.Stage, "classify"));

        if (outcomes.FirstOrDefault(o => o.Rejection is not null) is { Rejection: { } rejection } rejected)
        {
            activity?.AddException(rejection);
            activity?.SetStatus(ActivityStatusCode.Error);
            return new DeadLetteredResult(edit.Context, edit.Edit, DeadLetterReason.LlmRejected, $"policy {rejected.PolicyId}: {rejection.Message}");
        }

        return new ClassifiedResult(edit.Context, edit.Edit, [.. outcomes.Select(o => o.Verdict!)]);
    }

    private void RecordVerdict(string policyId, PolicyVerdict verdict)
    {
        var policyTag = new KeyValuePair<string, object?>(SafeguardTelemetry.Tags.Policy, policyId);
        var outcome = verdict.Status == VerdictStatus.Error ? "error"
            : verdict.FlagsEdit ? "flagged"
            : verdict.Flagged ? "would_flag"
            : "ok";
        telemetry.Verdicts.Add(1, policyTag, new(SafeguardTelemetry.Tags.Outcome, outcome));
        if (verdict.FlagsEdit)
        {
            telemetry.Flagged.Add(1, policyTag);
        }

        telemetry.LlmDuration.Record(verdict.LatencyMs / 1000.0, policyTag);
        telemetry.LlmTokens.Add(verdict.PromptTokens, policyTag, new(SafeguardTelemetry.Tags.TokenType, "prompt"));
        telemetry.LlmTokens.Add(verdict.CompletionTokens, policyTag, new(SafeguardTelemetry.Tags.TokenType, "completion"));
        telemetry.LlmTokens.Add(verdict.CachedTokens, policyTag, new(SafeguardTelemetry.Tags.TokenType, "cached"));
    }

    private async Task<PolicyOutcome> ClassifyPolicyAsync(Policy policy, EnrichedEdit edit, Activity? activity, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(OutageBackoff.ActivityKey, activity);
        try
        {
            var verdict = await outageRetry.ExecuteAsync(
                static async (ctx, state) => await state.Client.ClassifyAsync(state.Policy, state.Request, ctx.CancellationToken),
                context,
                (Client: client, Policy: policy, Request: new ClassificationRequest(edit.Edit, edit.Diff)));
            RecordVerdict(policy.Id, verdict);
            return new PolicyOutcome(policy.Id, verdict, null);
        }
        catch (LlmRejectedException ex)
        {
            return new PolicyOutcome(policy.Id, null, ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private sealed record PolicyOutcome(string PolicyId, PolicyVerdict? Verdict, LlmRejectedException? Rejection);

    private static partial class Log
    {
        [LoggerMessage(EventId = 3101, EventName = "ModelUnavailable", Level = LogLevel.Error,
            Message = "Model server unavailable ({Problem}); waiting {Backoff} before trying again")]
        public static partial void ModelUnavailable(ILogger logger, string problem, TimeSpan backoff);

        [LoggerMessage(EventId = 3102, EventName = "ClassificationStageFailed", Level = LogLevel.Critical, Message = "Classification stage failed")]
        public static partial void StageFailed(ILogger logger, Exception exception);
    }
}
