using Safeguard.Stream.Core.Review;

namespace Safeguard.Stream.Core.Tests.Review;

public sealed class PrecisionTests
{
    [Fact]
    public void FromLabels_NoLabels_HasNoEstimate()
    {
        var precision = Precision.FromLabels(0, 0);

        Assert.Equal(new Precision(0, 0, null, null, null), precision);
    }

    [Theory]
    // Reference values: Wilson score interval, z = 1.96 (e.g. statsmodels proportion_confint(method="wilson")).
    [InlineData(8, 2, 0.8, 0.4902, 0.9433)]
    [InlineData(10, 0, 1.0, 0.7225, 1.0)]
    [InlineData(0, 5, 0.0, 0.0, 0.4345)]
    [InlineData(45, 5, 0.9, 0.7864, 0.9565)]
    public void FromLabels_Counts_WilsonInterval(int correct, int incorrect, double estimate, double low, double high)
    {
        var precision = Precision.FromLabels(correct, incorrect);

        Assert.Equal(correct + incorrect, precision.Labeled);
        Assert.Equal(estimate, precision.Estimate!.Value, 4);
        Assert.Equal(low, precision.Low!.Value, tolerance: 1e-4);
        Assert.Equal(high, precision.High!.Value, tolerance: 1e-4);
    }

    [Fact]
    public void FromLabels_NegativeCount_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Precision.FromLabels(-1, 3));
}
