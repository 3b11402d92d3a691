using Safeguard.Stream.Core.Routing;

namespace Safeguard.Stream.Core.Tests.Routing;

public sealed class DedupeWindowTests
{
    [Fact]
    public void TryAdd_RepeatWithinWindow_IsRejected()
    {
        var window = new DedupeWindow(3);

        Assert.True(window.TryAdd("enwiki", 1));
        Assert.False(window.TryAdd("enwiki", 1));
        Assert.True(window.TryAdd("dewiki", 1));
    }

    [Fact]
    public void TryAdd_BeyondCapacity_ForgetsOldest()
    {
        var window = new DedupeWindow(2);
        window.TryAdd("w", 1);
        window.TryAdd("w", 2);
        window.TryAdd("w", 3);

        Assert.Equal(2, window.Count);
        Assert.True(window.TryAdd("w", 1));
        Assert.False(window.TryAdd("w", 3));
    }
}
