using Polly.Retry;
using Polly.Telemetry;

namespace Safeguard.Stream.Core.Pipeline;

/// <summary>
/// The one backoff that holds work through a dependency's outage (the sinks, the checkpoint store, a wiki's API, the
/// model server): a Polly retry without an attempt limit, doubling from the stage's first delay up to
/// <see cref="MaxDelay"/>, without jitter, on the <see cref="TimeProvider"/> from DI. Each stage's retry is a pipeline
/// registered by key in its project's <c>Add…Stage</c> extension; what it retries is decided there, once.
/// </summary>
public static class OutageBackoff
{
    /// <summary>The longest wait between two tries while a dependency stays down.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    /// <summary>The span of the work that is held, so that each failed try is recorded on it.</summary>
    public static readonly ResiliencePropertyKey<Activity?> ActivityKey = new("safeguard.activity");

    /// <summary>Sets <paramref name="retry"/> to the outage backoff starting at <paramref name="firstDelay"/>.</summary>
    public static void Apply<TResult>(RetryStrategyOptions<TResult> retry, TimeSpan firstDelay)
    {
        ArgumentNullException.ThrowIfNull(retry);
        // Unbounded on purpose: an edit is held (backpressure, no dead letter, no checkpoint move) until the dependency is back.
        retry.MaxRetryAttempts = int.MaxValue;
        retry.BackoffType = DelayBackoffType.Exponential;
        retry.UseJitter = false;
        retry.Delay = firstDelay;
        retry.MaxDelay = MaxDelay;
    }

    /// <summary>
    /// Keeps Polly's metrics for the pipeline but lowers its per-try log lines to Debug: the stage's own warning (with its
    /// event id, the attempt and the backoff) already reports each retry, and an outage should not print three lines a try.
    /// </summary>
    public static void UseStageLogging(ResiliencePipelineBuilderBase pipeline, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(services);
        var telemetry = new TelemetryOptions(services.GetRequiredService<IOptions<TelemetryOptions>>().Value);
        var severity = telemetry.SeverityProvider;
        telemetry.SeverityProvider = args => args.Event.EventName is "OnRetry" or "ExecutionAttempt"
            ? ResilienceEventSeverity.Debug
            : severity?.Invoke(args) ?? args.Event.Severity;
        pipeline.ConfigureTelemetry(telemetry);
    }
}
