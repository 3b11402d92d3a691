using Safeguard.Stream.Classification.Evaluation;
using Safeguard.Stream.Postgres;

namespace Safeguard.Stream.Review;

/// <summary>What <c>safeguard eval --record</c> keeps of a run for the dashboard.</summary>
public static class EvalRuns
{
    /// <summary>
    /// The run's counts at the policy's own threshold (<see cref="EvalMetrics.AtPolicyThreshold"/>): live flags follow
    /// that rule, and moderators judge flags, so this precision is the one to put beside theirs.
    /// </summary>
    public static EvalRun From(EvalMetrics metrics, Policy policy)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(policy);
        var counts = metrics.AtPolicyThreshold;
        return new EvalRun(
            policy.Id, policy.Version, policy.Visibility == PolicyVisibility.Public ? "public" : "restricted", metrics.Run.Model,
            metrics.Run.Dataset, metrics.Run.Simulated, metrics.Run.StartedAt, counts.Records, counts.Errors,
            counts.TruePositives, counts.FalsePositives, counts.TrueNegatives, counts.FalseNegatives);
    }
}
