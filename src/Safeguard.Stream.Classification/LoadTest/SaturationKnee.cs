namespace Safeguard.Stream.Classification.LoadTest;

/// <summary>One concurrency step as the knee rule sees it: requests in flight, throughput, median latency, error share.</summary>
public readonly record struct ThroughputPoint(int Concurrency, double RequestsPerSecond, double LatencyP50Ms, double ErrorShare);

/// <summary>Why the knee is where it is (<see cref="KneeEstimate.Reason"/>).</summary>
public enum KneeReason
{
    /// <summary>Throughput stopped growing: no higher concurrency bought <see cref="SaturationKnee.MinGain"/> more.</summary>
    Plateau,

    /// <summary>The next step's error share passed <see cref="SaturationKnee.MaxErrorShare"/>: the last clean step is the knee.</summary>
    Errors,

    /// <summary>Throughput still grew at the highest concurrency swept: the knee lies above it (raise --max-concurrency).</summary>
    NotReached,

    /// <summary>No step without errors was measured.</summary>
    NoData,
}

/// <summary>The knee, and what follows from it for the worker's settings and the deployment's size.</summary>
/// <param name="Reason">Why the knee is where it is.</param>
/// <param name="Concurrency">The knee's concurrency; null when it was not reached or nothing was measured.</param>
/// <param name="RecommendedMaxConcurrency"><c>Safeguard:Llm:MaxConcurrency</c> for one worker using this server alone: the knee, or
/// (not reached) the highest clean concurrency as a lower bound; null without data.</param>
/// <param name="RequestsPerSecond">Throughput at the recommended concurrency (the knee, or the best measured when not reached).</param>
/// <param name="LatencyP50Ms">Median latency there.</param>
/// <param name="LatencyGrowthAbove">p50 latency of the next step above the knee over the knee's own (evidence of the queue); null without one.</param>
/// <param name="ThroughputGainAbove">Best throughput above the knee over the knee's own; null without one.</param>
public sealed record KneeEstimate(
    KneeReason Reason,
    int? Concurrency,
    int? RecommendedMaxConcurrency,
    double? RequestsPerSecond,
    double? LatencyP50Ms,
    double? LatencyGrowthAbove,
    double? ThroughputGainAbove);

/// <summary>
/// The saturation knee of a closed-loop concurrency sweep, and the numbers derived from it. Pure arithmetic.
/// <para><b>Definition.</b> Only clean steps count (error share ≤ <see cref="MaxErrorShare"/>), in order of concurrency.
/// The knee is the <b>smallest clean concurrency c that has a clean step above it, such that no clean step at a higher
/// concurrency reaches (1 + <see cref="MinGain"/>) × its throughput</b>: beyond c, more requests in flight buy less than
/// 10 % more requests per second. In a closed loop (each of c clients sends its next request when its answer
/// arrives) Little's law ties the two: X = c / L, so a step from c to c′ that gains less than 10 % throughput is one
/// whose latency grows by more than (c′ / c) / 1.1 — at least ×1.8 when concurrency doubles. The rule is therefore
/// stated on throughput alone; <see cref="KneeEstimate.LatencyGrowthAbove"/> reports the latency side.
/// "No higher step" rather than "the next step" makes one noisy step neither end nor extend the plateau.</para>
/// <para>When no such c exists: if a step above the last clean one had too many errors, the last clean step is the
/// knee (<see cref="KneeReason.Errors"/>); otherwise throughput was still growing at the top of the sweep
/// (<see cref="KneeReason.NotReached"/>) and the highest clean concurrency is only a lower bound.</para>
/// <para><b>Recommendation.</b> <c>Safeguard:Llm:MaxConcurrency</c> = the knee: the most requests in flight that still
/// buy throughput; above it requests wait in vLLM's queue (latency grows, throughput does not). It is per model server:
/// several worker replicas sharing one server split it between them.</para>
/// </summary>
public static class SaturationKnee
{
    /// <summary>The throughput gain that still counts as growth (10 %).</summary>
    public const double MinGain = 0.10;

    /// <summary>Share of failed requests above which a step is overloaded (5 %).</summary>
    public const double MaxErrorShare = 0.05;

    /// <summary>
    /// Doubling steps in a row that did not beat the best so far by <see cref="MinGain"/> before the doubling stops. One
    /// is enough: below the knee a doubling gains far more than 10 % (up to 100 %), so noise cannot fake a plateau
    /// there, and the steps that follow (<see cref="NextConcurrency"/>) place the knee between the last two powers of
    /// two; every extra confirmation would double the load and the latency of the sweep's last step.
    /// </summary>
    public const int PlateauConfirmations = 1;

    /// <summary>The knee of <paramref name="points"/> (any order; several points at one concurrency: the last one counts).</summary>
    public static KneeEstimate Find(IEnumerable<ThroughputPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var all = points.GroupBy(p => p.Concurrency).Select(g => g.Last()).OrderBy(p => p.Concurrency).ToList();
        var clean = all.Where(IsClean).ToList();
        if (clean.Count == 0)
        {
            return new KneeEstimate(KneeReason.NoData, null, null, null, null, null, null);
        }

        for (var i = 0; i < clean.Count - 1; i++)
        {
            var knee = clean[i];
            var above = clean.Skip(i + 1).ToList();
            var best = above.Max(p => p.RequestsPerSecond);
            if (best < (1 + MinGain) * knee.RequestsPerSecond)
            {
                return new KneeEstimate(KneeReason.Plateau, knee.Concurrency, knee.Concurrency, knee.RequestsPerSecond, knee.LatencyP50Ms,
                    Ratio(above[0].LatencyP50Ms, knee.LatencyP50Ms), Ratio(best, knee.RequestsPerSecond));
            }
        }

        var last = clean[^1];
        if (all.Any(p => p.Concurrency > last.Concurrency && !IsClean(p)))
        {
            return new KneeEstimate(KneeReason.Errors, last.Concurrency, last.Concurrency, last.RequestsPerSecond, last.LatencyP50Ms, null, null);
        }

        var top = clean.MaxBy(p => p.RequestsPerSecond);
        return new KneeEstimate(KneeReason.NotReached, null, last.Concurrency, top.RequestsPerSecond, top.LatencyP50Ms, null, null);
    }

    /// <summary>
    /// The next concurrency to measure, or null when the sweep is done. Doubling from 1 up to
    /// <paramref name="maxConcurrency"/>, until a step has too many errors or <see cref="PlateauConfirmations"/> steps in a
    /// row fail to beat the best throughput so far by <see cref="MinGain"/>; then, while the knee lies more than an
    /// eighth of itself above the nearest measured concurrency below it, at most <paramref name="maxRefinements"/>
    /// steps halfway between the two (so a server whose limit is not a power of two gets a knee within ~12 %).
    /// </summary>
    public static int? NextConcurrency(IReadOnlyList<ThroughputPoint> measured, int maxConcurrency, int maxRefinements = 3)
    {
        ArgumentNullException.ThrowIfNull(measured);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        if (measured.Count == 0)
        {
            return 1;
        }

        if (!DoublingDone(measured, maxConcurrency))
        {
            return Math.Min(maxConcurrency, measured[^1].Concurrency * 2);
        }

        var refinements = measured.Count - DoublingSteps(measured);
        var knee = Find(measured);
        if (refinements >= maxRefinements || knee.Concurrency is not { } c || knee.Reason != KneeReason.Plateau)
        {
            return null;
        }

        var below = measured.Where(p => p.Concurrency < c).Select(p => p.Concurrency).DefaultIfEmpty(0).Max();
        if (below == 0 || c - below <= Math.Max(1, c / 8))
        {
            return null;
        }

        var middle = (below + c) / 2;
        return measured.Any(p => p.Concurrency == middle) ? null : middle;
    }

    /// <summary>Edits per second a server sustains when every edit costs <paramref name="requestsPerEdit"/> requests (one per policy).</summary>
    public static double EditsPerSecond(double requestsPerSecond, int requestsPerEdit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(requestsPerEdit, 1);
        return requestsPerSecond / requestsPerEdit;
    }

    /// <summary>Model servers (one GPU each) for <paramref name="targetEditsPerSecond"/>: ceil(target / edits per second at the knee).</summary>
    public static int GpusNeeded(double targetEditsPerSecond, double editsPerSecondPerGpu)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(targetEditsPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(editsPerSecondPerGpu);
        // A hair of tolerance so that 10 / (10/3) is 3, not 4 from rounding.
        return (int)Math.Ceiling((targetEditsPerSecond / editsPerSecondPerGpu) - 1e-9);
    }

    private static bool IsClean(ThroughputPoint p) => p.ErrorShare <= MaxErrorShare && p.RequestsPerSecond > 0;

    private static double? Ratio(double a, double b) => b > 0 ? a / b : null;

    /// <summary>How many of the first steps were the doubling phase (each twice the one before, or capped at the maximum).</summary>
    private static int DoublingSteps(IReadOnlyList<ThroughputPoint> measured)
    {
        var n = 1;
        while (n < measured.Count && measured[n].Concurrency > measured[n - 1].Concurrency)
        {
            n++;
        }

        return n;
    }

    private static bool DoublingDone(IReadOnlyList<ThroughputPoint> measured, int maxConcurrency)
    {
        var doubling = measured.Take(DoublingSteps(measured)).ToList();
        if (doubling.Count < measured.Count)
        {
            return true; // refinement has begun
        }

        var last = doubling[^1];
        if (last.Concurrency >= maxConcurrency || !IsClean(last))
        {
            return true;
        }

        var flat = 0;
        var best = 0.0;
        foreach (var p in doubling)
        {
            if (p.RequestsPerSecond >= (1 + MinGain) * best)
            {
                flat = 0;
            }
            else
            {
                flat++;
            }

            best = Math.Max(best, p.RequestsPerSecond);
        }

        return flat >= PlateauConfirmations;
    }
}
