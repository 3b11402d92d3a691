using Microsoft.Extensions.Diagnostics.HealthChecks;
using Safeguard.Stream.Core.Tagging;

namespace Safeguard.Stream.Kafka.Tagging;

/// <summary>
/// The tagger's readiness: unhealthy while its consumer does not run; degraded, with one line per problem naming what
/// to do, while the verdict topic does not exist yet, a valve is open, a tag is paused (<c>safeguard tags create</c>) or
/// a wiki is stopped (the missing right).
/// </summary>
public sealed class TaggerHealthCheck(TaggerConsumer consumer, TaggerState state) : IHealthCheck
{
    public const string Name = "tagger";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!consumer.Running)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("the tagger's consumer is not running"));
        }

        if (consumer.WaitingForTopic is { } topic)
        {
            return Task.FromResult(HealthCheckResult.Degraded(
                $"waiting for the verdict topic {topic} to exist: create it, or check Safeguard:Tagging:Topic"));
        }

        return Task.FromResult(state.IsClear
            ? HealthCheckResult.Healthy("tagging")
            : HealthCheckResult.Degraded(string.Join("; ", state.Describe())));
    }
}
