using Safeguard.Stream.Core.Pipeline;

namespace Safeguard.Stream.Core.Tests.Pipeline;

public sealed class CompletionWatermarkTests
{
    [Fact]
    public void Complete_OutOfOrder_AdvancesOnlyWhenContiguous()
    {
        var watermark = new CompletionWatermark();

        Assert.False(watermark.Complete(2, "p2", out _));
        Assert.False(watermark.Complete(3, "p3", out _));
        Assert.True(watermark.Complete(1, "p1", out var checkpoint));

        Assert.Equal("p3", checkpoint);
        Assert.Equal(3, watermark.CompletedThrough);
        Assert.Equal(0, watermark.PendingOutOfOrder);
    }

    [Fact]
    public void Complete_Gap_HoldsCheckpointBeforeIt()
    {
        var watermark = new CompletionWatermark();
        watermark.Complete(1, "p1", out _);
        watermark.Complete(3, "p3", out _);

        Assert.Equal(1, watermark.CompletedThrough);
        Assert.Equal(1, watermark.PendingOutOfOrder);
    }

    [Fact]
    public void Complete_NullPosition_KeepsLastKnownPosition()
    {
        var watermark = new CompletionWatermark();
        watermark.Complete(1, "p1", out _);

        Assert.True(watermark.Complete(2, null, out var checkpoint));
        Assert.Equal("p1", checkpoint);
    }

    [Fact]
    public void Complete_AlreadyCompleted_IsIgnored()
    {
        var watermark = new CompletionWatermark();
        watermark.Complete(1, "p1", out _);

        Assert.False(watermark.Complete(1, "again", out _));
    }
}
