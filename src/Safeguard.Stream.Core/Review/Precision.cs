namespace Safeguard.Stream.Core.Review;

/// <summary>
/// A policy's precision measured from moderators' labels: of the flags whose consensus label stands, the share judged
/// correct, with a Wilson score interval (95% by default). Wilson rather than the normal approximation because the
/// counts are small and the share is often near 1, where the normal interval overshoots [0, 1] and says nothing.
/// </summary>
public readonly record struct Precision(int Correct, int Labeled, double? Estimate, double? Low, double? High)
{
    /// <summary>z for a two-sided 95% interval.</summary>
    public const double Z95 = 1.959963984540054;

    public static Precision FromLabels(int correct, int incorrect, double z = Z95)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(correct);
        ArgumentOutOfRangeException.ThrowIfNegative(incorrect);
        var n = correct + incorrect;
        if (n == 0)
        {
            return new Precision(0, 0, null, null, null);
        }

        double p = (double)correct / n, z2 = z * z;
        var centre = (p + (z2 / (2 * n))) / (1 + (z2 / n));
        var half = z / (1 + (z2 / n)) * Math.Sqrt((p * (1 - p) / n) + (z2 / (4.0 * n * n)));
        return new Precision(correct, n, p, Math.Max(0, centre - half), Math.Min(1, centre + half));
    }
}
