using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using Safeguard.Stream.Classification.Llm;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.EventStreams;
using Safeguard.Stream.Kafka;

namespace Safeguard.Stream.Worker.Hosting;

/// <summary>
/// Readiness: the source is connected and not stalled, Postgres answers, the Kafka cluster answers metadata, and the
/// model server lists its models. <c>/alive</c> runs none of these: it only says the process is up.
/// </summary>
internal static class SafeguardHealthChecks
{
    public const string ReadyTag = "ready";
    private static readonly TimeSpan s_probeTimeout = TimeSpan.FromSeconds(3);

    public static void AddSafeguardHealthChecks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHttpClient("health", http => http.Timeout = s_probeTimeout);
        builder.Services.AddSingleton<KafkaHealthCheck>();
        builder.Services.AddHealthChecks()
            .AddCheck<SourceHealthCheck>("source", tags: [ReadyTag])
            .AddCheck<PostgresHealthCheck>("postgres", tags: [ReadyTag])
            .AddCheck<KafkaHealthCheck>("kafka", tags: [ReadyTag])
            .AddCheck<LlmHealthCheck>("llm", tags: [ReadyTag]);
    }

    internal sealed class SourceHealthCheck(IEventSource source, IOptions<SourceOptions> options, TimeProvider timeProvider) : IHealthCheck
    {
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

    internal sealed class PostgresHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(s_probeTimeout);
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(timeout.Token);
                await using var command = new NpgsqlCommand("select 1", connection);
                await command.ExecuteScalarAsync(timeout.Token);
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException)
            {
                // The message names the host and port (never the password): what an operator needs to fix it.
                return HealthCheckResult.Unhealthy($"postgres unreachable: {ex.GetType().Name}: {ex.Message}");
            }
        }
    }

    internal sealed class KafkaHealthCheck(IOptions<KafkaOptions> options) : IHealthCheck, IDisposable
    {
        private readonly Lazy<IAdminClient> _admin = new(() =>
            new AdminClientBuilder(new AdminClientConfig(KafkaVerdictSink.CreateConfig(options.Value)))
                .SetLogHandler((_, _) => { })
                .Build());

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.Run(() =>
            {
                try
                {
                    var metadata = _admin.Value.GetMetadata(s_probeTimeout);
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

    /// <summary>
    /// The model server lists the configured model to this client (key, endpoint and model checked by
    /// <see cref="LlmModelsProbe"/>), and the classifier's last request was not refused for a configuration reason.
    /// Either failure names the setting to fix.
    /// </summary>
    internal sealed class LlmHealthCheck(IOptions<LlmOptions> options, IHttpClientFactory httpClientFactory, LlmServerStatus status) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (status.Problem is { } problem)
            {
                return HealthCheckResult.Unhealthy("classification paused: " + problem.Message);
            }

            var report = await LlmModelsProbe.CheckAsync(httpClientFactory.CreateClient("health"), options.Value, cancellationToken);
            return report.Ok ? HealthCheckResult.Healthy(report.Describe(options.Value)) : HealthCheckResult.Unhealthy(report.Describe(options.Value));
        }
    }
}
