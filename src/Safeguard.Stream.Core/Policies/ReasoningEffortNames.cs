namespace Safeguard.Stream.Core.Policies;

/// <summary>
/// The one spelling of <see cref="ReasoningEffort"/> as text: in policy files, the request's <c>reasoning_effort</c>,
/// the Kafka event, the audit table and what the CLI prints (<c>low</c>, <c>medium</c>, <c>high</c>).
/// </summary>
public static class ReasoningEffortNames
{
    /// <summary>A policy that names no effort gets this one.</summary>
    public const ReasoningEffort Default = ReasoningEffort.Low;

    public static IReadOnlyList<string> All { get; } = ["low", "medium", "high"];

    public static string ToName(this ReasoningEffort effort) => effort switch
    {
        ReasoningEffort.Low => "low",
        ReasoningEffort.Medium => "medium",
        ReasoningEffort.High => "high",
        _ => throw new ArgumentOutOfRangeException(nameof(effort), effort, "not a reasoning effort"),
    };

    /// <summary>Reads a name (any case); numbers and unknown names are refused.</summary>
    public static bool TryParse(string? text, out ReasoningEffort effort)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "low":
                effort = ReasoningEffort.Low;
                return true;
            case "medium":
                effort = ReasoningEffort.Medium;
                return true;
            case "high":
                effort = ReasoningEffort.High;
                return true;
            default:
                effort = Default;
                return false;
        }
    }
}
