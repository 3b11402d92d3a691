using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Safeguard.Stream.Classification.Llm;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.Core.Telemetry;
using Safeguard.Stream.Core.Verdicts;

namespace Safeguard.Stream.Classification;

/// <summary>
/// Runs every matching policy over each enriched edit, <see cref="LlmOptions.MaxConcurrency"/> edits at a time, so
/// vLLM's continuous batching stays busy. An outage of the model server blocks the stage (backpressure, nothing is
/// dropped) until it answers again; a request the server rejects dead-letters that edit.
/// </summary>
public sealed partial class ClassificationStage(
    PipelineChannels channels,
    SafeguardClassifierClient client,
    IOptions<LlmOptions> options,
    TimeProvider timeProvider,
    SafeguardTelemetry telemetry,
    ILogger<ClassificationStage> logger) : BackgroundService
{
    private static readonly TimeSpan s_maxOutageBackoff = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Exception? failure = null;
        try
        {
            var workers = Enumerable.Range(0, options.Value.MaxConcurrency).Select(_ => WorkAsync(stoppingToken));
            await Task.WhenAll(workers);
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
            channels.CompleteResultWriter(failure);
        }
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        var reader = channels.Enriched.Reader;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            while (reader.TryRead(out var edit))
            {
                var result = await ClassifyEditAsync(edit, cancellationToken);
                await channels.Results.Writer.WriteAsync(result, cancellationToken);
            }
        }
    }

    internal async Task<PipelineResult> ClassifyEditAsync(EnrichedEdit edit, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        using var activity = telemetry.ActivitySource.StartActivity("classify edit", ActivityKind.Internal);
        var verdicts = new List<PolicyVerdict>(edit.Routed.Policies.Count);
        foreach (var policy in edit.Routed.Policies)
        {
            var backoff = TimeSpan.FromSeconds(1);
            while (true)
            {
                try
                {
                    var verdict = await client.ClassifyAsync(policy, edit, cancellationToken);
                    verdicts.Add(verdict);
                    var outcome = verdict.Status == VerdictStatus.Error ? "error" : verdict.Flagged ? "flagged" : "ok";
                    telemetry.Verdicts.Add(1, new KeyValuePair<string, object?>(SafeguardTelemetry.Tags.Policy, policy.Id), new(SafeguardTelemetry.Tags.Outcome, outcome));
                    break;
                }
                catch (LlmRejectedException ex)
                {
                    activity?.AddException(ex);
                    activity?.SetStatus(ActivityStatusCode.Error);
                    return new DeadLetteredResult(edit.Routed.Source, edit.Edit, "llm_rejected", $"policy {policy.Id}: {ex.Message}");
                }
                catch (LlmUnavailableException ex)
                {
                    activity?.AddException(ex);
                    Log.ModelUnavailable(logger, ex.Message, backoff);
                    await Task.Delay(backoff, timeProvider, cancellationToken);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, s_maxOutageBackoff.Ticks));
                }
            }
        }

        telemetry.StageDuration.Record(timeProvider.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>(SafeguardTelemetry.Tags.Stage, "classify"));
        return new ClassifiedResult(edit, verdicts);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3101, EventName = "ModelUnavailable", Level = LogLevel.Error,
            Message = "Model server unavailable ({Problem}); waiting {Backoff} before trying again")]
        public static partial void ModelUnavailable(ILogger logger, string problem, TimeSpan backoff);

        [LoggerMessage(EventId = 3102, EventName = "ClassificationStageFailed", Level = LogLevel.Critical, Message = "Classification stage failed")]
        public static partial void StageFailed(ILogger logger, Exception exception);
    }
}
