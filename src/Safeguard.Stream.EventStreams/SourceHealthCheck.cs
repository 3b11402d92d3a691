using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Safeguard.Stream.EventStreams;

/// <summary>Readiness of whichever source runs: connected and not stalled. A finite source (a file) is always ready.</summary>
public sealed class SourceHealthCheck(IEventSource source, IOptions<SourceOptions> options, TimeProvider timeProvider) : IHealthCheck
{
    public const string Name = "source";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (source is not ISourceHealth health)
        {
            return Task.FromResult(HealthCheckResult.Healthy($"{source.Name}: a finite source"));
        }

        var report = health.Health;
        var now = timeProvider.GetUtcNow();
        var stall = options.Value.StallTimeout;

        // Streams are cut every few minutes and reconnect within seconds; only a longer outage is unready.
        if (!report.Connected && report.DisconnectedSince is { } since && now - since > stall)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"{source.Name}: disconnected since {since:O}"));
        }

        if (report.Connected && report.LastEventAt is { } last && now - last > 2 * stall)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"{source.Name}: stalled, no event since {last:O}"));
        }

        return Task.FromResult(HealthCheckResult.Healthy(source.Name));
    }
}
