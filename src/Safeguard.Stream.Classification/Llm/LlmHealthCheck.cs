using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Safeguard.Stream.Classification.Llm;

/// <summary>
/// The model server lists the configured model to this client (key, endpoint and model checked by
/// <see cref="LlmModelsProbe"/>), and the classifier's last request was not refused for a configuration reason.
/// Either failure names the setting to fix.
/// </summary>
public sealed class LlmHealthCheck(IOptions<LlmOptions> options, IHttpClientFactory httpClientFactory, LlmServerStatus status) : IHealthCheck
{
    public const string Name = "llm";

    /// <summary>The named client of the check, its timeout the probe timeout.</summary>
    public const string HttpClientName = "llm-health";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (status.Problem is { } problem)
        {
            return HealthCheckResult.Unhealthy("classification paused: " + problem.Message);
        }

        var report = await LlmModelsProbe.CheckAsync(httpClientFactory.CreateClient(HttpClientName), options.Value, cancellationToken);
        return report.Ok ? HealthCheckResult.Healthy(report.Describe(options.Value)) : HealthCheckResult.Unhealthy(report.Describe(options.Value));
    }
}
