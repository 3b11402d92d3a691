using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Safeguard.Stream.Postgres;

/// <summary>Readiness: the database answers a query within the probe timeout.</summary>
public sealed class PostgresHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public const string Name = "postgres";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ComponentRegistration.HealthProbeTimeout);
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
