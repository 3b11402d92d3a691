using Polly.Retry;

namespace Safeguard.Stream.Core.Pipeline;

/// <summary>
/// Writes results to every sink in batches, and only after all sinks confirm a batch does it count the results and
/// advance the checkpoint past the highest contiguous completed event. A failing sink blocks progress (bounded
/// memory, backpressure up the channels) and the batch is retried until it succeeds: sinks are idempotent, so a
/// retry after a partial write duplicates nothing. Both retries (the sinks, then the checkpoint) are the outage backoff
/// (<see cref="OutageBackoff"/>, from 200 ms), registered as <see cref="CoreHostingExtensions.PublishSinksPipelineKey"/>
/// and <see cref="CoreHostingExtensions.PublishCheckpointPipelineKey"/>.
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
    [FromKeyedServices(CoreHostingExtensions.PublishSinksPipelineKey)] ResiliencePipeline sinkRetry,
    [FromKeyedServices(CoreHostingExtensions.PublishCheckpointPipelineKey)] ResiliencePipeline checkpointRetry,
    ILogger<PublishStage> logger) : BackgroundService
{
    private static readonly TimeSpan s_firstBackoff = TimeSpan.FromMilliseconds(200);
    private static readonly ResiliencePropertyKey<int> s_batchSize = new("safeguard.publish.batch_size");
    private readonly IResultSink[] _sinks = [.. sinks];

    /// <summary>The sinks' retry: every failure of a write, until the batch is written or the stage stops.</summary>
    internal static void ConfigureSinkRetry(ResiliencePipelineBuilder pipeline, IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILogger<PublishStage>>();
        ConfigureRetry(pipeline, services, args =>
        {
            args.Context.Properties.GetValue(OutageBackoff.ActivityKey, null)?.AddException(args.Outcome.Exception!);
            Log.SinkFailed(logger, args.Outcome.Exception!, args.Context.Properties.GetValue(s_batchSize, 0), args.AttemptNumber + 1, args.RetryDelay);
        });
    }

    /// <summary>The checkpoint's retry: every failure to advance the source position, until it succeeds or the stage stops.</summary>
    internal static void ConfigureCheckpointRetry(ResiliencePipelineBuilder pipeline, IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILogger<PublishStage>>();
        ConfigureRetry(pipeline, services, args => Log.CheckpointFailed(logger, args.Outcome.Exception!, args.AttemptNumber + 1, args.RetryDelay));
    }

    private static void ConfigureRetry(ResiliencePipelineBuilder pipeline, IServiceProvider services, Action<OnRetryArguments<object>> log)
    {
        var retry = new RetryStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null && !args.Context.CancellationToken.IsCancellationRequested),
            OnRetry = args =>
            {
                log(args);
                return default;
            },
        };
        OutageBackoff.Apply(retry, s_firstBackoff);
        pipeline.AddRetry(retry);
        OutageBackoff.UseStageLogging(pipeline, services);
    }

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
        var links = batch.OfType<ClassifiedResult>().Select(r => r.Context.TraceParent).Where(c => c != default).Select(c => new ActivityLink(c));
        using var activity = telemetry.ActivitySource.StartActivity("publish batch", ActivityKind.Internal, default(ActivityContext), links: links);
        activity?.SetTag("safeguard.batch.size", batch.Count);

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(OutageBackoff.ActivityKey, activity);
        context.Properties.Set(s_batchSize, batch.Count);
        try
        {
            await sinkRetry.ExecuteAsync(
                static async (ctx, state) => await Task.WhenAll(state.Sinks.Select(sink => sink.WriteAsync(state.Batch, ctx.CancellationToken))),
                context,
                (Sinks: _sinks, Batch: batch));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        var released = new List<EventContext>(batch.Count);
        var skips = new Dictionary<(string Source, string Reason), long>();
        foreach (var result in batch)
        {
            watermark.Complete(result.Context, released);
            if (result is SkippedResult skipped)
            {
                var key = (skipped.Context.SourceName, skipped.Reason);
                skips[key] = skips.GetValueOrDefault(key) + 1;
            }
        }

        // The events are already released from the watermark, so a failed checkpoint write (Postgres restarting) is
        // retried here rather than allowed to stop the worker; until it succeeds, a crash only means replaying more.
        await checkpointRetry.ExecuteAsync(
            static async (state, ct) => await state.Progress.AdvanceAsync(state.Released, state.Skips, ct),
            (Progress: progress, Released: released, Skips: skips),
            cancellationToken);

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
