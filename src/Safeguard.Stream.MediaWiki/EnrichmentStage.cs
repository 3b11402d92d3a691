using Polly.Retry;
using Safeguard.Stream.MediaWiki.LiftWing;

namespace Safeguard.Stream.MediaWiki;

/// <summary>
/// Fetches each routed edit's diff (fitted to the token budget). Hidden, suppressed, missing, refused and empty
/// revisions become counted skips; unexpected API answers and requests that still fail after the pipeline's retries
/// become counted dead letters; the stage moves on. While a wiki is down or shedding load the edit is held and fetched
/// again (<see cref="OutageBackoff"/> from 1 s, the pipeline <see cref="MediaWikiHostingExtensions.EnrichmentOutagePipelineKey"/>)
/// for up to <see cref="MediaWikiOptions.OutageWait"/>; the HTTP pipeline under the client retries each request on its own.
/// When one of the edit's policies has a revert-risk gate, LiftWing scores the edit while its diff is fetched
/// (<see cref="LiftWingClient"/>, time-bounded; no score on any failure, so the gate fails open).
/// </summary>
public sealed partial class EnrichmentStage(
    PipelineChannels channels,
    MediaWikiClient client,
    IOptions<MediaWikiOptions> options,
    TimeProvider timeProvider,
    SafeguardTelemetry telemetry,
    RevisionRedactor redactor,
    LiftWingClient gate,
    [FromKeyedServices(MediaWikiHostingExtensions.EnrichmentOutagePipelineKey)] ResiliencePipeline<DiffFetchResult> outageRetry,
    ILogger<EnrichmentStage> logger) : BackgroundService
{
    private readonly PipelineChannels.ResultWriter _results = channels.AddResultWriter();

    private static readonly ResiliencePropertyKey<string> s_domain = new("safeguard.wiki.domain");
    private static readonly ResiliencePropertyKey<long> s_outageStarted = new("safeguard.wiki.outage_started");

    /// <summary>
    /// The outage retry: a fetch that failed because the wiki is unavailable, timed out, has its circuit open or is rate
    /// limited is tried again until <see cref="MediaWikiOptions.OutageWait"/> has passed since the first such failure
    /// (an outage longer than that dead-letters the edit, with the last failure as its reason).
    /// </summary>
    internal static void ConfigureOutageRetry(ResiliencePipelineBuilder<DiffFetchResult> pipeline, IServiceProvider services)
    {
        var outageWait = services.GetRequiredService<IOptions<MediaWikiOptions>>().Value.OutageWait;
        var time = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILogger<EnrichmentStage>>();
        var retry = new RetryStrategyOptions<DiffFetchResult>
        {
            ShouldHandle = args =>
            {
                if (args.Outcome.Exception is not null ||
                    args.Outcome.Result.FailureReason is not (DiffFailure.Unavailable or DiffFailure.Timeout or DiffFailure.CircuitOpen or DiffFailure.RateLimited))
                {
                    return ValueTask.FromResult(false);
                }

                if (!args.Context.Properties.TryGetValue(s_outageStarted, out var started))
                {
                    started = time.GetTimestamp();
                    args.Context.Properties.Set(s_outageStarted, started);
                }

                return ValueTask.FromResult(time.GetElapsedTime(started) < outageWait);
            },
            OnRetry = args =>
            {
                // The wiki is down or shedding load: hold the edit (backpressure) and try again, rather than dead-letter
                // every edit of a short outage.
                Log.WikiUnavailable(logger, args.Context.Properties.GetValue(s_domain, "?"), args.Outcome.Result.FailureReason, args.RetryDelay);
                return default;
            },
        };
        OutageBackoff.Apply(retry, TimeSpan.FromSeconds(1));
        pipeline.AddRetry(retry);
        OutageBackoff.UseStageLogging(pipeline, services);
    }
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => StageLoop.RunAsync(
        () => Task.WhenAll(Enumerable.Range(0, options.Value.MaxConcurrency).Select(
            _ => StageLoop.ForEachAsync(channels.Routed.Reader, (routed, ct) => new ValueTask(EnrichAsync(routed, ct)), stoppingToken))),
        ex => Log.StageFailed(logger, ex), _results, channels.Enriched.Writer, stoppingToken);

    private async Task EnrichAsync(RoutedEdit routed, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        using var activity = telemetry.ActivitySource.StartActivity("enrich edit", ActivityKind.Internal, routed.Context.TraceParent);
        // Scored alongside the diff fetch, so the gate adds no latency of its own when LiftWing is as fast as the wiki.
        using var scoring = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var score = routed.Policies.Any(p => p.Gate is not null)
            ? gate.GetRevertRiskAsync(routed.Edit, scoring.Token)
            : Task.FromResult<RevertRiskScore?>(null);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(s_domain, routed.Edit.Domain);
        DiffFetchResult result;
        try
        {
            result = await outageRetry.ExecuteAsync(
                static async (ctx, state) => await state.Stage.FetchAsync(state.Routed, state.Activity, ctx.CancellationToken),
                context,
                (Stage: this, Routed: routed, Activity: activity));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        telemetry.StageDuration.Record(timeProvider.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>(SafeguardTelemetry.Tags.Stage, "enrich"));
        if (result.Diff is { } diff)
        {
            // A user or summary the wiki hides goes no further: not to the model, not to the audit row or the event.
            var visible = result.Hidden == HiddenFields.None ? routed : routed with { Edit = routed.Edit.WithHidden(result.Hidden) };
            if (result.Hidden != HiddenFields.None)
            {
                telemetry.HiddenFieldsDropped.Add(1, new KeyValuePair<string, object?>(SafeguardTelemetry.Tags.Reason, result.Hidden.ToString()));
                // A verdict from an earlier pass (a replay) may hold the performer the wiki now hides.
                await RedactEarlierAsync(routed, RedactionReason.UserOrSummaryHidden, cancellationToken);
            }

            await channels.Enriched.Writer.WriteAsync(visible.WithDiff(diff) with { RevertRisk = await score }, cancellationToken);
            return;
        }

        // Not classified: the score is not needed.
        await scoring.CancelAsync();
        try
        {
            await score;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        if (result.SkipReason is { } reason)
        {
            // Only the reason travels on: nothing of a hidden revision is kept, and what an earlier pass kept is redacted.
            if (reason is SkipReason.RevisionHidden or SkipReason.RevisionSuppressed)
            {
                await RedactEarlierAsync(routed, reason == SkipReason.RevisionSuppressed ? RedactionReason.TextSuppressed : RedactionReason.TextHidden, cancellationToken);
            }

            telemetry.Skipped.Add(1, new KeyValuePair<string, object?>(SafeguardTelemetry.Tags.Reason, reason));
            await channels.Results.Writer.WriteAsync(new SkippedResult(routed.Context, routed.Edit, reason), cancellationToken);
        }
        else
        {
            var failure = result.FailureReason ?? DiffFailure.ApiError;
            activity?.SetStatus(ActivityStatusCode.Error, failure);
            telemetry.DeadLettered.Add(1, new KeyValuePair<string, object?>(SafeguardTelemetry.Tags.Reason, failure));
            await channels.Results.Writer.WriteAsync(
                new DeadLetteredResult(routed.Context, routed.Edit, failure, result.Detail ?? failure), cancellationToken);
        }
    }

    private async Task RedactEarlierAsync(RoutedEdit routed, string reason, CancellationToken cancellationToken)
    {
        try
        {
            await redactor.RedactAsync(new RedactionRequest(routed.Edit.WikiId, routed.Edit.RevId, reason, RedactionTrigger.Enrichment), cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The skip stands; the page_change/recentchange event of the deletion, or db redact, redacts later.
            Log.RedactionFailed(logger, routed.Edit.WikiId, routed.Edit.RevId, ex.GetType().Name);
        }
    }

    private async Task<DiffFetchResult> FetchAsync(RoutedEdit routed, Activity? activity, CancellationToken cancellationToken)
    {
        try
        {
            return await client.GetDiffAsync(routed.Edit, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The client turns every expected fault into a result; anything else is a bug to see in the dead letters, not a reason to stop.
            activity?.AddException(ex);
            activity?.SetStatus(ActivityStatusCode.Error);
            Log.FetchFailed(logger, routed.Edit.WikiId, routed.Edit.RevId, ex.GetType().Name);
            return DiffFetchResult.Fail(DiffFailure.ApiError, "unexpected " + ex.GetType().Name);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2103, EventName = "WikiUnavailable", Level = LogLevel.Warning,
            Message = "Wiki API of {Domain} unavailable ({Reason}); holding the edit and trying again in {Backoff}")]
        public static partial void WikiUnavailable(ILogger logger, string domain, string? reason, TimeSpan backoff);

        [LoggerMessage(EventId = 2101, EventName = "DiffFetchFailed", Level = LogLevel.Warning,
            Message = "Fetching the diff of {WikiId}:{RevId} failed unexpectedly ({ErrorType}); dead-lettered")]
        public static partial void FetchFailed(ILogger logger, string wikiId, long revId, string errorType);

        [LoggerMessage(EventId = 2104, EventName = "RedactionFailed", Level = LogLevel.Warning,
            Message = "Redacting earlier verdicts of {WikiId}:{RevId}, found hidden at enrichment, failed ({ErrorType})")]
        public static partial void RedactionFailed(ILogger logger, string wikiId, long revId, string errorType);

        [LoggerMessage(EventId = 2102, EventName = "EnrichmentStageFailed", Level = LogLevel.Critical, Message = "Enrichment stage failed")]
        public static partial void StageFailed(ILogger logger, Exception exception);
    }
}
