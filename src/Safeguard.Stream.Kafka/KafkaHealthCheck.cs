using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Safeguard.Stream.Kafka;

/// <summary>Readiness: the verdict cluster answers a metadata request. One admin client, made on the first check.</summary>
public sealed class KafkaHealthCheck(IOptions<KafkaOptions> options) : IHealthCheck, IDisposable
{
    public const string Name = "kafka";

    private readonly Lazy<IAdminClient> _admin = new(() =>
        new AdminClientBuilder(new AdminClientConfig(KafkaVerdictSink.CreateConfig(options.Value)))
            .SetLogHandler((_, _) => { })
            .Build());

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.Run(() =>
        {
            try
            {
                var metadata = _admin.Value.GetMetadata(ComponentRegistration.HealthProbeTimeout);
                return metadata.Brokers.Count > 0 ? HealthCheckResult.Healthy($"{metadata.Brokers.Count} brokers") : HealthCheckResult.Unhealthy("no brokers");
            }
            catch (KafkaException ex)
            {
                return HealthCheckResult.Unhealthy("kafka unreachable: " + ex.Error.Code);
            }
        }, cancellationToken);

    public void Dispose()
    {
        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }
    }
}
