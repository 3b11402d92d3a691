using Polly.Retry;
using Safeguard.Stream.Core.Prompts;

namespace Safeguard.Stream.Classification;

/// <summary>
/// Runs every matching policy over each enriched edit, after the pre-screen (<see cref="PreScreen"/>) has set aside
/// the policies the edit cannot violate, and the revert-risk gates (<see cref="Policy.Gate"/>) the policies whose gate
/// the edit's LiftWing score is below (each counted; an edit with none left is a skip with that reason). With
/// <see cref="LlmOptions.Bundle"/> the edit's public policies go in one request (<see cref="PolicyBundle"/>) and each
/// restricted policy in its own. Up to <see cref="LlmOptions.MaxConcurrency"/> edits are
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
        var (policies, skipReason) = Screen(edit);
        if (policies.Count == 0)
        {
            // No policy has anything to judge: the whole edit is a counted skip, with the first policy's reason.
            return new SkippedResult(edit.Context, edit.Edit, skipReason!);
        }

        var request = new ClassificationRequest(edit.Edit, edit.Diff);
        var bundled = options.Value.Bundle ? policies.Where(p => p.Visibility == PolicyVisibility.Public).ToList() : [];
        var work = bundled.Count > 1
            ? policies.Except(bundled).Select(policy => ClassifyPolicyAsync(policy, request, activity, cancellationToken))
                .Append(ClassifyBundleAsync(PolicyBundle.Create(bundled), request, activity, cancellationToken))
            : policies.Select(policy => ClassifyPolicyAsync(policy, request, activity, cancellationToken));
        var outcomes = (await Task.WhenAll(work)).SelectMany(o => o).OrderBy(o => policies.FindIndex(p => p.Id == o.PolicyId)).ToList();
        telemetry.StageDuration.Record(timeProvider.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>(SafeguardTelemetry.Tags.Stage, "classify"));

        if (outcomes.FirstOrDefault(o => o.Rejection is not null) is { Rejection: { } rejection } rejected)
        {
            activity?.AddException(rejection);
            activity?.SetStatus(ActivityStatusCode.Error);
            return new DeadLetteredResult(edit.Context, edit.Edit, DeadLetterReason.LlmRejected, $"policy {rejected.PolicyId}: {rejection.Message}");
        }

        return new ClassifiedResult(edit.Context, edit.Edit, [.. outcomes.Select(o => o.Verdict!)]) { RevertRisk = edit.RevertRisk };
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

    /// <summary>
    /// The pre-screen (<see cref="PreScreen"/>, unless <see cref="LlmOptions.PreScreen"/> is off) and the revert-risk
    /// gates (<see cref="PreScreen.CheckGate"/>: on whenever a policy declares one, open without a score): the edit's
    /// policies that have something to judge, each skip counted by policy and reason; and the first skip's reason, for
    /// an edit none of whose policies is left.
    /// </summary>
    private (List<Policy> Policies, string? FirstSkip) Screen(EnrichedEdit edit)
    {
        var preScreen = options.Value.PreScreen;
        var kept = new List<Policy>(edit.Policies.Count);
        string? first = null;
        foreach (var policy in edit.Policies)
        {
            if (((preScreen ? PreScreen.Check(policy, edit.Edit, edit.Diff) : null) ?? PreScreen.CheckGate(policy, edit.RevertRisk)) is { } reason)
            {
                first ??= reason;
                telemetry.PreScreened.Add(1, new(SafeguardTelemetry.Tags.Policy, policy.Id), new(SafeguardTelemetry.Tags.Reason, reason));
            }
            else
            {
                kept.Add(policy);
            }
        }

        return (kept, first);
    }

    private async Task<PolicyOutcome[]> ClassifyPolicyAsync(Policy policy, ClassificationRequest request, Activity? activity, CancellationToken cancellationToken) =>
        await WithOutageRetryAsync([policy.Id], activity, async ct => [await client.ClassifyAsync(policy, request, ct)], cancellationToken);

    /// <summary><c>Safeguard:Llm:Bundle</c>: the edit's public policies in one request, each with its own verdict.</summary>
    private async Task<PolicyOutcome[]> ClassifyBundleAsync(PolicyBundle bundle, ClassificationRequest request, Activity? activity, CancellationToken cancellationToken) =>
        await WithOutageRetryAsync([.. bundle.Policies.Select(p => p.Id)], activity, async ct => await client.ClassifyBundleAsync(bundle, request, ct), cancellationToken);

    private async Task<PolicyOutcome[]> WithOutageRetryAsync(
        IReadOnlyList<string> policyIds, Activity? activity, Func<CancellationToken, Task<IReadOnlyList<PolicyVerdict>>> classify, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(OutageBackoff.ActivityKey, activity);
        try
        {
            var verdicts = await outageRetry.ExecuteAsync(static async (ctx, classify) => await classify(ctx.CancellationToken), context, classify);
            foreach (var verdict in verdicts)
            {
                RecordVerdict(verdict.PolicyId, verdict);
            }

            return [.. verdicts.Select(v => new PolicyOutcome(v.PolicyId, v, null))];
        }
        catch (LlmRejectedException ex)
        {
            return [.. policyIds.Select(id => new PolicyOutcome(id, null, ex))];
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
