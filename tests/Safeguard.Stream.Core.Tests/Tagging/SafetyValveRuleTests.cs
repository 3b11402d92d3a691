using Safeguard.Stream.Core.Tagging;

namespace Safeguard.Stream.Core.Tests.Tagging;

/// <summary>
/// The valve's limits on a counted window. How the window is kept (size, age, one row per revision, emptied by a
/// re-arm) is the store's part, tested on a real Postgres in <c>PostgresTaggingStoreTests</c>.
/// </summary>
public sealed class SafetyValveRuleTests
{
    private static SafetyValveRule CreateSut(Action<TaggerOptions>? change = null) => new(VerdictSamples.Options(change));

    [Fact]
    public void Evaluate_PolicyFlaggingHalfTheEdits_OpensOnceTheMinimumSampleIsReached()
    {
        var sut = CreateSut();
        Assert.Null(sut.Evaluate("enwiki", "spam", new WindowCounts(19, 10, 0)));

        var trip = sut.Evaluate("enwiki", "spam", new WindowCounts(20, 10, 0));

        Assert.NotNull(trip);
        Assert.Equal(("enwiki", "spam", 20), (trip.WikiId, trip.PolicyId, trip.Sample));
        Assert.Equal(0.5, trip.FlaggedShare, 3);
        Assert.Contains("Safeguard:Tagging:MaxFlagRate", trip.Reason, StringComparison.Ordinal);
        Assert.Contains("50.0", trip.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_OneEarlyFlag_DoesNotOpen()
    {
        var sut = CreateSut();

        Assert.Null(sut.Evaluate("enwiki", "spam", new WindowCounts(1, 1, 0)));
        Assert.Null(sut.Evaluate("enwiki", "spam", new WindowCounts(200, 1, 0)));
    }

    [Fact]
    public void Evaluate_FlagRateAtTheLimit_DoesNotOpen_AboveItDoes()
    {
        var sut = CreateSut();

        Assert.Null(sut.Evaluate("enwiki", "spam", new WindowCounts(200, 10, 0))); // 5 %: at the limit, not above

        var trip = sut.Evaluate("enwiki", "spam", new WindowCounts(200, 11, 0));
        Assert.NotNull(trip);
        Assert.Equal(0.055, trip.FlaggedShare, 3);
    }

    [Fact]
    public void Evaluate_ErrorShareSpike_Opens()
    {
        var sut = CreateSut(o => o.MaxErrorRate = 0.2);

        var trip = sut.Evaluate("enwiki", "spam", new WindowCounts(40, 0, 20));

        Assert.NotNull(trip);
        Assert.Contains("Safeguard:Tagging:MaxErrorRate", trip.Reason, StringComparison.Ordinal);
        Assert.Equal(0, trip.FlaggedShare);
        Assert.Equal(0.5, trip.ErrorShare, 3);
    }
}
