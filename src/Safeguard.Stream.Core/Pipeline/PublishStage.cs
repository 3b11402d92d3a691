using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Safeguard.Stream.Core.Telemetry;

namespace Safeguard.Stream.Core.Pipeline;

/// <summary>
/// Writes results to every sink in batches, and only after all sinks confirm a batch does it count the results and
/// advance the checkpoint past the highest contiguous completed event. A failing sink blocks progress (bounded
/// memory, backpressure up the channels) and the batch is retried until it succeeds: sinks are idempotent, so a
/// retry after a partial write duplicates nothing.
/// </summary>
public sealed partial class PublishStage(
    PipelineChannels channels,
    IEnumerable<IResultSink> sinks,
    ISourceProgress progress,
    CompletionWatermark watermark,
    PipelineTally tally,
    PipelineCompletion completion,
    IOptions<PipelineOptions> options,
    TimeProvider timeProvider,
    SafeguardTelemetry telemetry,
    ILogger<PublishStage> logger) : BackgroundService
{
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(30);
    private readonly IResultSink[] _sinks = [.. sinks];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var reader = channels.Results.Reader;
            var batch = new List<PipelineResult>(options.Value.PublishBatchSize);
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                await FillBatchAsync(batch, stoppingToken);
                await PublishAsync(batch, stoppingToken);
                batch.Clear();
            }

            await reader.Completion;
            completion.SetDrained();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            completion.SetFailed(new OperationCanceledException("the pipeline was stopped before it drained"));
        }
        catch (Exception ex)
        {
            Log.StageFailed(logger, ex);
            completion.SetFailed(ex);
            throw;
        }
    }

    private async Task FillBatchAsync(List<PipelineResult> batch, CancellationToken cancellationToken)
    {
        var reader = channels.Results.Reader;
        var max = options.Value.PublishBatchSize;
        var deadline = timeProvider.GetTimestamp() + (long)(options.Value.PublishBatchDelay.TotalSeconds * timeProvider.TimestampFrequency);
        while (batch.Count < max)
        {
            while (batch.Count < max && reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            var remaining = deadline - timeProvider.GetTimestamp();
            if (batch.Count >= max || remaining <= 0 || reader.Completion.IsCompleted)
            {
                return;
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds((double)remaining / timeProvider.TimestampFrequency), timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
            try
            {
                if (!await reader.WaitToReadAsync(linked.Token))
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task PublishAsync(List<PipelineResult> batch, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        // The batch span links every edit's trace it carries, so each edit's trace shows where it was published.
        var links = batch.OfType<ClassifiedResult>().Select(r => r.Enriched.Routed.TraceParent).Where(c => c != default).Select(c => new ActivityLink(c));
        using var activity = telemetry.ActivitySource.StartActivity("publish batch", ActivityKind.Internal, default(ActivityContext), links: links);
        activity?.SetTag("safeguard.batch.size", batch.Count);

        var backoff = TimeSpan.FromMilliseconds(200);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await Task.WhenAll(_sinks.Select(sink => sink.WriteAsync(batch, cancellationToken)));
                break;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                activity?.AddException(ex);
                Log.SinkFailed(logger, ex, batch.Count, attempt, backoff);
                await Task.Delay(backoff, timeProvider, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, s_maxBackoff.Ticks));
            }
        }

        var released = new List<SourceEvent>(batch.Count);
        var skips = new Dictionary<(string Source, string Reason), long>();
        foreach (var result in batch)
        {
            watermark.Complete(result.Source, released);
            if (result is SkippedResult skipped)
            {
                var key = (skipped.Source.SourceName, skipped.Reason);
                skips[key] = skips.GetValueOrDefault(key) + 1;
            }
        }

        // The events are already released from the watermark, so a failed checkpoint write (Postgres restarting) is
        // retried here rather than allowed to stop the worker; until it succeeds, a crash only means replaying more.
        backoff = TimeSpan.FromMilliseconds(200);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await progress.AdvanceAsync(released, skips, cancellationToken);
                break;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                Log.CheckpointFailed(logger, ex, attempt, backoff);
                await Task.Delay(backoff, timeProvider, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, s_maxBackoff.Ticks));
            }
        }

        if (released.Count > 0)
        {
            telemetry.CheckpointAdvanced();
        }

        foreach (var result in batch)
        {
            tally.Record(result);
        }

        telemetry.StageDuration.Record(timeProvider.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>(SafeguardTelemetry.Tags.Stage, "publish"));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 111, EventName = "SinkWriteFailed", Level = LogLevel.Warning,
            Message = "Writing a batch of {BatchSize} results failed (attempt {Attempt}); retrying in {Backoff}")]
        public static partial void SinkFailed(ILogger logger, Exception exception, int batchSize, int attempt, TimeSpan backoff);

        [LoggerMessage(EventId = 113, EventName = "CheckpointFailed", Level = LogLevel.Warning,
            Message = "Advancing the source position failed (attempt {Attempt}); retrying in {Backoff}")]
        public static partial void CheckpointFailed(ILogger logger, Exception exception, int attempt, TimeSpan backoff);

        [LoggerMessage(EventId = 112, EventName = "PublishStageFailed", Level = LogLevel.Critical, Message = "Publish stage failed")]
        public static partial void StageFailed(ILogger logger, Exception exception);
    }
}
