using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Safeguard.Stream.MediaWiki.Tagging;

/// <summary>
/// Readiness of the tag client: degraded while a wiki refuses its sign-in or its tag right, naming the wiki and what
/// is missing (the tagging consumer stops tagging there; verdicts still flow). Never includes a secret.
/// </summary>
internal sealed class WikiTaggingHealthCheck(WikiBotSessions sessions) : IHealthCheck
{
    public const string Name = "wiki-tagging";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var problems = sessions.Problems;
        return Task.FromResult(problems.Count == 0
            ? HealthCheckResult.Healthy("signed in where tagging ran")
            : HealthCheckResult.Degraded(string.Join("; ", problems.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value}"))));
    }
}
