using Safeguard.Stream.Classification.Llm;

namespace Safeguard.Stream.Classification.Tests.Llm;

/// <summary>
/// The source-generated validator of <see cref="LlmOptions"/> checks the settings it inherits from the shared
/// <c>TransportResilienceOptions</c> too, each failure naming its flat key.
/// </summary>
public sealed class LlmOptionsTests
{
    [Theory]
    [InlineData(nameof(LlmOptions.BreakerFailureRatio))]
    [InlineData(nameof(LlmOptions.BreakerMinimumThroughput))]
    [InlineData(nameof(LlmOptions.BreakerBreakDuration))]
    [InlineData(nameof(LlmOptions.MaxRetryAfter))]
    public void Validate_InheritedBreakerSettingOutOfRange_FailsNamingIt(string property)
    {
        var options = new LlmOptions();
        switch (property)
        {
            case nameof(LlmOptions.BreakerFailureRatio):
                options.BreakerFailureRatio = 5;
                break;
            case nameof(LlmOptions.BreakerMinimumThroughput):
                options.BreakerMinimumThroughput = 1;
                break;
            case nameof(LlmOptions.BreakerBreakDuration):
                options.BreakerBreakDuration = TimeSpan.FromHours(2);
                break;
            default:
                options.MaxRetryAfter = TimeSpan.FromHours(1);
                break;
        }

        var result = new LlmOptionsValidator().Validate(LlmOptions.SectionName, options);

        Assert.True(result.Failed);
        Assert.Contains(property, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Defaults_Succeed()
    {
        Assert.True(new LlmOptionsValidator().Validate(LlmOptions.SectionName, new LlmOptions()).Succeeded);
    }
}
