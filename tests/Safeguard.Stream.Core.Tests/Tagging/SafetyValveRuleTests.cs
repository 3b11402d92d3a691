using Microsoft.Extensions.Time.Testing;
using Safeguard.Stream.Core.Tagging;

namespace Safeguard.Stream.Core.Tests.Tagging;

public sealed class SafetyValveRuleTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    private static SafetyValveRule CreateSut(Action<TaggerOptions>? change = null) => new(VerdictSamples.Options(change));

    private ValveTrip? Feed(SafetyValveRule sut, int count, Func<int, bool> flagged, Func<int, bool>? error = null, TimeSpan? every = null)
    {
        ValveTrip? trip = null;
        for (var i = 0; i < count && trip is null; i++)
        {
            trip = sut.Record("enwiki", "spam", flagged(i), error?.Invoke(i) ?? false, _clock.GetUtcNow());
            _clock.Advance(every ?? TimeSpan.FromSeconds(1));
        }

        return trip;
    }

    [Fact]
    public void Record_PolicyFlaggingHalfTheEdits_OpensOnceTheMinimumSampleIsReached()
    {
        var sut = CreateSut();
        Assert.Null(Feed(sut, 19, i => i % 2 == 0));

        var trip = sut.Record("enwiki", "spam", false, false, _clock.GetUtcNow());

        Assert.NotNull(trip);
        Assert.Equal(20, trip.Sample);
        Assert.Equal(0.5, trip.FlaggedShare, 3);
        Assert.Contains("Safeguard:Tagging:MaxFlagRate", trip.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Record_OneEarlyFlag_DoesNotOpen()
    {
        var sut = CreateSut();

        Assert.Null(sut.Record("enwiki", "spam", true, false, _clock.GetUtcNow()));
        Assert.Null(Feed(sut, 200, _ => false));
    }

    [Fact]
    public void Record_FlagRateAtTheLimit_DoesNotOpen_AboveItDoes()
    {
        var sut = CreateSut();
        // Every 20th verdict flagged: never above 5 % on the way, and 10 of 200 = 5 % at the end: at the limit, not above.
        Assert.Null(Feed(sut, 200, i => i % 20 == 19));

        // One more flag pushes out the oldest (clean) verdict: 11 of 200.
        var trip = sut.Record("enwiki", "spam", true, false, _clock.GetUtcNow());

        Assert.NotNull(trip);
        Assert.Equal(200, trip.Sample);
        Assert.Equal(0.055, trip.FlaggedShare, 3);
    }

    [Fact]
    public void Record_ErrorShareSpike_Opens()
    {
        var sut = CreateSut(o => o.MaxErrorRate = 0.2);

        var trip = Feed(sut, 40, _ => false, i => i % 2 == 1);

        Assert.NotNull(trip);
        Assert.Contains("Safeguard:Tagging:MaxErrorRate", trip.Reason, StringComparison.Ordinal);
        Assert.Equal(0, trip.FlaggedShare);
    }

    [Fact]
    public void Record_FlagsOlderThanTheWindowDuration_NoLongerCount()
    {
        var sut = CreateSut(o => o.WindowDuration = TimeSpan.FromMinutes(10));
        // Three flags, then two hours of clean verdicts: the flags fall out of the window by age.
        Assert.Null(Feed(sut, 3, _ => true, every: TimeSpan.FromMilliseconds(1)));
        _clock.Advance(TimeSpan.FromHours(2));

        Assert.Null(Feed(sut, 100, _ => false));
    }

    [Fact]
    public void Record_PairsAreIndependent()
    {
        var sut = CreateSut();
        for (var i = 0; i < 30; i++)
        {
            Assert.Null(sut.Record("enwiki", "blp", false, false, _clock.GetUtcNow()));
            Assert.Null(sut.Record("dewiki", "spam", false, false, _clock.GetUtcNow()));
        }

        Assert.NotNull(Feed(sut, 30, _ => true));
    }

    [Fact]
    public void Forget_AfterARearm_TheOldVerdictsDoNotOpenItAgain()
    {
        var sut = CreateSut();
        Assert.NotNull(Feed(sut, 40, i => i % 2 == 0));

        sut.Forget("enwiki", "spam");

        Assert.Null(Feed(sut, 19, _ => false));
    }

    [Fact]
    public void VerdictWindow_KeepsAtMostItsSize()
    {
        var window = new VerdictWindow(5, TimeSpan.FromHours(1));
        for (var i = 0; i < 12; i++)
        {
            window.Add(_clock.GetUtcNow(), flagged: i < 10, error: false);
        }

        Assert.Equal(5, window.Count);
        Assert.Equal(0.6, window.FlaggedShare, 3);
    }
}
