using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Safeguard.Stream.Core.Events;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.Core.Redaction;
using Safeguard.Stream.Core.Routing;
using Safeguard.Stream.Core.Telemetry;

namespace Safeguard.Stream.MediaWiki;

/// <summary>
/// Fetches each routed edit's diff (fitted to the token budget). Hidden, suppressed, missing, refused and empty
/// revisions become counted skips; unexpected API answers and requests that still fail after the pipeline's retries
/// become counted dead letters; the stage moves on.
/// </summary>
public sealed partial class EnrichmentStage(
    PipelineChannels channels,
    MediaWikiClient client,
    IOptions<MediaWikiOptions> options,
    TimeProvider timeProvider,
    SafeguardTelemetry telemetry,
    RevisionRedactor redactor,
    ILogger<EnrichmentStage> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Exception? failure = null;
        try
        {
            await Task.WhenAll(Enumerable.Range(0, options.Value.MaxConcurrency).Select(_ => WorkAsync(stoppingToken)));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            failure = ex;
            Log.StageFailed(logger, ex);
            throw;
        }
        finally
        {
            channels.Enriched.Writer.TryComplete(failure);
            channels.CompleteResultWriter(failure);
        }
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        var reader = channels.Routed.Reader;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            while (reader.TryRead(out var routed))
            {
                await EnrichAsync(routed, cancellationToken);
            }
        }
    }

    private async Task EnrichAsync(RoutedEdit routed, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        using var activity = telemetry.ActivitySource.StartActivity("enrich edit", ActivityKind.Internal, routed.TraceParent);
        var result = await FetchAsync(routed, activity, cancellationToken);
        var outageStarted = timeProvider.GetTimestamp();
        var backoff = TimeSpan.FromSeconds(1);
        while (result.FailureReason is DiffFailure.Unavailable or DiffFailure.Timeout or DiffFailure.CircuitOpen or DiffFailure.RateLimited &&
               timeProvider.GetElapsedTime(outageStarted) < options.Value.OutageWait)
        {
            // The wiki is down or shedding load: hold the edit (backpressure) and try again, rather than dead-letter
            // every edit of a short outage. Only an outage longer than OutageWait dead-letters it.
            Log.WikiUnavailable(logger, routed.Edit.Domain, result.FailureReason, backoff);
            await Task.Delay(backoff, timeProvider, cancellationToken);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            result = await FetchAsync(routed, activity, cancellationToken);
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

            await channels.Enriched.Writer.WriteAsync(new EnrichedEdit(visible, diff), cancellationToken);
        }
        else if (result.SkipReason is { } reason)
        {
            // Only the reason travels on: nothing of a hidden revision is kept, and what an earlier pass kept is redacted.
            if (reason is SkipReason.RevisionHidden or SkipReason.RevisionSuppressed)
            {
                await RedactEarlierAsync(routed, reason == SkipReason.RevisionSuppressed ? RedactionReason.TextSuppressed : RedactionReason.TextHidden, cancellationToken);
            }

            telemetry.Skipped.Add(1, new KeyValuePair<string, object?>(SafeguardTelemetry.Tags.Reason, reason));
            await channels.Results.Writer.WriteAsync(new SkippedResult(routed.Source, routed.Edit, reason), cancellationToken);
        }
        else
        {
            var failure = result.FailureReason ?? DiffFailure.ApiError;
            activity?.SetStatus(ActivityStatusCode.Error, failure);
            telemetry.DeadLettered.Add(1, new KeyValuePair<string, object?>(SafeguardTelemetry.Tags.Reason, failure));
            await channels.Results.Writer.WriteAsync(
                new DeadLetteredResult(routed.Source, routed.Edit, failure, result.Detail ?? failure), cancellationToken);
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
