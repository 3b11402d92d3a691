using Safeguard.Stream.Classification.LoadTest;

namespace Safeguard.Stream.Classification.Tests.LoadTest;

/// <summary>The knee rule on hand-made closed-loop curves: throughput X(c), and latency c / X(c) by Little's law.</summary>
public sealed class SaturationKneeTests
{
    private static readonly int[] s_doubling = [1, 2, 4, 8, 16, 32, 64];

    private static List<ThroughputPoint> Curve(IEnumerable<int> levels, Func<int, double> throughput, Func<int, double>? errors = null) =>
        [.. levels.Select(c => new ThroughputPoint(c, throughput(c), 1000.0 * c / throughput(c), errors?.Invoke(c) ?? 0))];

    /// <summary>A server that batches up to <paramref name="limit"/> sequences: throughput grows linearly, then not at all.</summary>
    private static double Saturating(int c, int limit) => 10.0 * Math.Min(c, limit);

    [Fact]
    public void Find_FlatCurve_KneeAtOne()
    {
        var knee = SaturationKnee.Find(Curve(s_doubling, _ => 12.5));

        Assert.Equal(KneeReason.Plateau, knee.Reason);
        Assert.Equal(1, knee.Concurrency);
        Assert.Equal(1, knee.RecommendedMaxConcurrency);
        Assert.Equal(2.0, knee.LatencyGrowthAbove!.Value, 9); // c doubled, throughput did not: latency doubled
    }

    [Fact]
    public void Find_LinearCurve_NotReachedAndRecommendsTheTopAsALowerBound()
    {
        var knee = SaturationKnee.Find(Curve(s_doubling, c => 3.0 * c));

        Assert.Equal(KneeReason.NotReached, knee.Reason);
        Assert.Null(knee.Concurrency);
        Assert.Equal(64, knee.RecommendedMaxConcurrency);
        Assert.Equal(192, knee.RequestsPerSecond);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(256)]
    public void Find_SaturatingAtAPowerOfTwo_KneeAtTheLimit(int limit)
    {
        var levels = Enumerable.Range(0, 11).Select(i => 1 << i).Where(c => c <= 2 * limit);
        var knee = SaturationKnee.Find(Curve(levels, c => Saturating(c, limit)));

        Assert.Equal(KneeReason.Plateau, knee.Reason);
        Assert.Equal(limit, knee.Concurrency);
        Assert.Equal(10.0 * limit, knee.RequestsPerSecond);
        Assert.Equal(1.0, knee.ThroughputGainAbove!.Value, 9);
    }

    [Fact]
    public void Find_GrowthJustUnder10Percent_IsAPlateau_JustOverIsNot()
    {
        Assert.Equal(4, SaturationKnee.Find(Curve([1, 2, 4, 8], c => c <= 4 ? c : 4 * 1.099)).Concurrency);
        Assert.Equal(KneeReason.NotReached, SaturationKnee.Find(Curve([1, 2, 4, 8], c => c <= 4 ? c : 4 * 1.101)).Reason);
    }

    [Fact]
    public void Find_NoisySaturatingCurve_KneeStaysAtTheLimit()
    {
        // ±4 % jitter, deterministic: a dip or bump past the limit neither ends the plateau early nor moves it up.
        double[] jitter = [1.03, 0.97, 1.04, 0.97, 1.04, 0.96, 1.03];
        var levels = s_doubling.ToList();
        var knee = SaturationKnee.Find(Curve(levels, c => Saturating(c, 8) * jitter[levels.IndexOf(c)]));

        Assert.Equal(KneeReason.Plateau, knee.Reason);
        Assert.Equal(8, knee.Concurrency);
    }

    [Fact]
    public void Find_ALaterStepThatBeatsTheCandidate_MovesTheKneeUp()
    {
        // 8 → 16 gains 5 %, but 32 gains 20 % over 8 and 14 % over 16: neither is the knee; 32 is (64 adds 4 %).
        double[] rates = [1, 2, 4, 8, 8.4, 9.6, 10.0];
        var knee = SaturationKnee.Find(Curve(s_doubling, c => rates[Array.IndexOf(s_doubling, c)]));

        Assert.Equal(32, knee.Concurrency);
    }

    [Fact]
    public void Find_ErrorsRiseBeforeThePlateau_KneeIsTheLastCleanStep()
    {
        var knee = SaturationKnee.Find(Curve(s_doubling.Take(5), c => 5.0 * c, c => c >= 16 ? 0.2 : 0));

        Assert.Equal(KneeReason.Errors, knee.Reason);
        Assert.Equal(8, knee.Concurrency);
        Assert.Equal(8, knee.RecommendedMaxConcurrency);
    }

    [Fact]
    public void Find_FailedStepsAreNotCountedForThePlateau()
    {
        // 16 fails a third of its requests with a higher raw rate; the knee is judged on clean steps only.
        var knee = SaturationKnee.Find(Curve([1, 2, 4, 8, 16, 32], c => Saturating(c, 8) * (c == 16 ? 1.5 : 1), c => c == 16 ? 0.33 : 0));

        Assert.Equal(KneeReason.Plateau, knee.Reason);
        Assert.Equal(8, knee.Concurrency);
    }

    [Fact]
    public void Find_NothingClean_NoData()
    {
        Assert.Equal(KneeReason.NoData, SaturationKnee.Find([]).Reason);
        Assert.Null(SaturationKnee.Find(Curve([1, 2], _ => 1, _ => 1)).RecommendedMaxConcurrency);
    }

    [Fact]
    public void NextConcurrency_DoublesUntilAStepGainsLessThan10Percent()
    {
        var measured = new List<ThroughputPoint>();
        var asked = new List<int>();
        while (SaturationKnee.NextConcurrency(measured, 1024) is { } c)
        {
            asked.Add(c);
            measured.AddRange(Curve([c], x => Saturating(x, 8)));
        }

        // 1…16 doubling (16 gains nothing over 8), then 6 and 7 below the knee: the knee stays 8.
        Assert.Equal([1, 2, 4, 8, 16, 6, 7], asked);
        Assert.Equal(8, SaturationKnee.Find(measured).Concurrency);
    }

    [Theory]
    [InlineData(12)]
    [InlineData(20)]
    [InlineData(100)]
    public void NextConcurrency_LimitBetweenPowersOfTwo_RefinementPutsTheKneeWithin25Percent(int limit)
    {
        var measured = new List<ThroughputPoint>();
        while (SaturationKnee.NextConcurrency(measured, 4096) is { } c)
        {
            measured.AddRange(Curve([c], x => Saturating(x, limit)));
        }

        var knee = SaturationKnee.Find(measured).Concurrency!.Value;
        Assert.InRange(knee, 0.75 * limit, 1.25 * limit);
        // Doubling to the first power of two past the limit, one more, and at most three steps between.
        Assert.True(measured.Count <= (int)Math.Ceiling(Math.Log2(limit)) + 2 + 3, $"{measured.Count} steps");
    }

    [Fact]
    public void NextConcurrency_StopsAtTheMaximumAndOnErrors()
    {
        Assert.Equal(48, SaturationKnee.NextConcurrency(Curve([1, 2, 4, 8, 16, 32], c => c), 48));
        Assert.Null(SaturationKnee.NextConcurrency(Curve([1, 2, 4, 8, 16, 32, 48], c => c), 48));
        Assert.Null(SaturationKnee.NextConcurrency(Curve([1, 2, 4], c => c, c => c == 4 ? 0.5 : 0), 1024));
    }

    [Theory]
    [InlineData(10, 10.0 / 3, 3)]
    [InlineData(10, 3.3, 4)]
    [InlineData(100, 2.5, 40)]
    [InlineData(0.5, 2.5, 1)]
    [InlineData(0, 2.5, 0)]
    public void GpusNeeded_IsTheCeilingOfTargetOverPerGpu(double target, double perGpu, int expected) =>
        Assert.Equal(expected, SaturationKnee.GpusNeeded(target, perGpu));

    [Fact]
    public void EditsPerSecond_IsRequestsOverPolicies()
    {
        Assert.Equal(3.6, SaturationKnee.EditsPerSecond(18, 5), 9);
        Assert.Throws<ArgumentOutOfRangeException>(() => SaturationKnee.EditsPerSecond(18, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SaturationKnee.GpusNeeded(10, 0));
    }
}
