using Safeguard.Stream.Core.Routing;

namespace Safeguard.Stream.Core.Tests.Routing;

public sealed class IdentityRevertWindowTests
{
    [Fact]
    public void Observe_ABA_TheReturnToAIsARevert()
    {
        var sut = new IdentityRevertWindow(10);

        Assert.False(sut.Observe("enwiki", 1, "b", priorSha1: "a"));
        Assert.True(sut.Observe("enwiki", 1, "a", priorSha1: "b"));
    }

    [Fact]
    public void Observe_RevertToTwoRevisionsBack_IsARevert_FromEventsAlone()
    {
        var sut = new IdentityRevertWindow(10);
        sut.Observe("enwiki", 1, "b", "a");
        sut.Observe("enwiki", 1, "c", "b");

        Assert.True(sut.Observe("enwiki", 1, "a", "c"));
    }

    [Fact]
    public void Observe_SameHashAsTheReplacedRevision_IsNotARevert()
    {
        var sut = new IdentityRevertWindow(10);
        sut.Observe("enwiki", 1, "b", "a");

        Assert.False(sut.Observe("enwiki", 1, "b", "b"));
    }

    [Fact]
    public void Observe_PagesAndWikisAreApart_AndNoHashIsNoSignal()
    {
        var sut = new IdentityRevertWindow(10);
        sut.Observe("enwiki", 1, "b", "a");

        Assert.False(sut.Observe("enwiki", 2, "a", "x"));
        Assert.False(sut.Observe("dewiki", 1, "a", "x"));
        Assert.False(sut.Observe("enwiki", 1, null, "b"));
    }

    [Fact]
    public void Observe_BeyondTheRadius_TheOldTextIsForgotten()
    {
        var sut = new IdentityRevertWindow(10);
        sut.Observe("enwiki", 1, "h0", "base");
        for (var i = 1; i <= IdentityRevertWindow.Radius; i++)
        {
            sut.Observe("enwiki", 1, "h" + i, "h" + (i - 1));
        }

        Assert.False(sut.Observe("enwiki", 1, "base", "h" + IdentityRevertWindow.Radius));
        Assert.True(sut.Observe("enwiki", 1, "h10", "base"));
    }

    [Fact]
    public void Observe_BeyondTheCapacity_TheLeastRecentlyEditedPageIsForgotten()
    {
        var sut = new IdentityRevertWindow(2);
        sut.Observe("enwiki", 1, "b", "a");
        sut.Observe("enwiki", 2, "y", "x");
        sut.Observe("enwiki", 1, "c", "b"); // page 1 is the most recent again
        sut.Observe("enwiki", 3, "q", "p"); // page 2 goes

        Assert.Equal(2, sut.Count);
        Assert.True(sut.Observe("enwiki", 1, "a", "c"));
        Assert.False(sut.Observe("enwiki", 2, "x", "y"));
    }
}
