using System.Text.RegularExpressions;

namespace Safeguard.Stream.Core.Policies;

/// <summary>
/// A policy's <c>gate: revertrisk &lt; 0.1</c>: the policy judges only edits whose revert risk (Wikimedia LiftWing's
/// <c>revertrisk-language-agnostic</c>, the probability that the revision will be reverted) is at least
/// <see cref="Below"/>; below it the policy is skipped (<see cref="Routing.SkipReason.RevertRiskBelowGate"/>, counted).
/// The gate fails open: an edit with no score (LiftWing down, slow, refusing, or a wiki it does not cover) is judged.
/// </summary>
public sealed partial record RevertRiskGate(double Below)
{
    /// <summary>The one signal a gate may name.</summary>
    public const string Signal = "revertrisk";

    /// <summary>True when <paramref name="score"/> is known and under the threshold; an unknown score never skips.</summary>
    public bool Skips(RevertRiskScore? score) => score is { Probability: var p } && p < Below;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Signal} < {Below}");

    /// <summary>Reads the front matter's <c>gate:</c> text; on failure <paramref name="error"/> says what is wrong and how to write it.</summary>
    public static bool TryParse(string? text, out RevertRiskGate? gate, out string? error)
    {
        gate = null;
        error = null;
        var match = Expression().Match(text ?? string.Empty);
        if (!match.Success)
        {
            error = $"'gate' must read '{Signal} < N' with N above 0 and at most 1 (e.g. gate: {Signal} < 0.1), was '{text}'";
            return false;
        }

        if (match.Groups["signal"].Value != Signal)
        {
            error = $"'gate': unknown signal '{match.Groups["signal"].Value}'; only '{Signal}' (LiftWing's revert-risk score) is supported";
            return false;
        }

        if (match.Groups["op"].Value != "<")
        {
            error = $"'gate': only '<' is supported (the policy is skipped while the score is below N), was '{match.Groups["op"].Value}'";
            return false;
        }

        var number = match.Groups["number"].Value;
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var below) || below is <= 0 or > 1)
        {
            error = $"'gate': the threshold must be a number above 0 and at most 1 (a probability), was '{number}'";
            return false;
        }

        gate = new RevertRiskGate(below);
        return true;
    }

    [GeneratedRegex(@"\A\s*(?<signal>[A-Za-z_][A-Za-z0-9_-]*)\s*(?<op>[<>=!]+)\s*(?<number>\S+)\s*\z")]
    private static partial Regex Expression();
}

/// <summary>
/// An edit's revert risk as LiftWing scored it: <c>output.probabilities.true</c> of the model's answer, with the model's
/// name and version, so a stored verdict says which model gated it.
/// </summary>
public sealed record RevertRiskScore(double Probability, string Model, string ModelVersion);
