using Safeguard.Stream.Core.Policies;

namespace Safeguard.Stream.Core.Tests.Policies;

/// <summary>One spelling of reasoning effort: the request, the Kafka event, the table and the CLI used three conversions with different defaults.</summary>
public sealed class ReasoningEffortNamesTests
{
    [Theory]
    [InlineData(ReasoningEffort.Low, "low")]
    [InlineData(ReasoningEffort.Medium, "medium")]
    [InlineData(ReasoningEffort.High, "high")]
    public void ToName_EveryEffort_RoundTripsThroughTryParse(ReasoningEffort effort, string name)
    {
        Assert.Equal(name, effort.ToName());
        Assert.True(ReasoningEffortNames.TryParse(name.ToUpperInvariant(), out var parsed));
        Assert.Equal(effort, parsed);
    }

    [Fact]
    public void ToName_UndefinedValue_Throws()
    {
        // Before, the request wrote such a value as "low" and the Kafka event as "high".
        Assert.Throws<ArgumentOutOfRangeException>(() => ((ReasoningEffort)7).ToName());
    }

    [Theory]
    [InlineData("1")]
    [InlineData("extreme")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParse_NumbersAndUnknownNames_AreRefused(string? text)
    {
        Assert.False(ReasoningEffortNames.TryParse(text, out var effort));
        Assert.Equal(ReasoningEffortNames.Default, effort);
    }

    [Fact]
    public void All_ListsEveryEffortInOrder()
    {
        Assert.Equal(Enum.GetValues<ReasoningEffort>().Select(e => e.ToName()), ReasoningEffortNames.All);
    }
}
