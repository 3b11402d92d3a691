using OpenAI.Chat;
using Safeguard.Stream.Classification.Llm;

namespace Safeguard.Stream.Classification.Tests.Llm;

public sealed class VerdictProbabilityTests
{
    private static ChatTokenLogProbabilityDetails Token(string token, double logprob, params (string Token, double LogProb)[] top) =>
        OpenAIChatModelFactory.ChatTokenLogProbabilityDetails(
            token, (float)logprob, null,
            [.. top.Select(t => OpenAIChatModelFactory.ChatTokenTopLogProbabilityDetails(t.Token, (float)t.LogProb, null))]);

    [Fact]
    public void FromLogProbabilities_BothDigitsInTopAlternatives_Renormalises()
    {
        var tokens = new[]
        {
            Token("analysis", -0.1), Token("{\"", -0.01), Token("violation", -0.01), Token("\":", -0.01),
            Token("1", Math.Log(0.6), ("1", Math.Log(0.6)), ("0", Math.Log(0.2))),
            Token(",", -0.01),
        };

        var p = VerdictProbability.FromLogProbabilities(tokens, violation: true);

        Assert.NotNull(p);
        Assert.Equal(0.75, p.Value, 3);
    }

    [Fact]
    public void FromLogProbabilities_OnlyChosenDigit_UsesItsConfidence()
    {
        var tokens = new[] { Token("violation", -0.01), Token("0", Math.Log(0.9)) };

        var p = VerdictProbability.FromLogProbabilities(tokens, violation: false);

        Assert.Equal(0.1, p!.Value, 3);
    }

    [Fact]
    public void FromLogProbabilities_DigitsInReasoningBeforeTheKey_AreIgnored()
    {
        // Reasoning tokens come first in vLLM's logprobs; only a digit after the last "violation" key counts.
        var tokens = new[] { Token("1", Math.Log(0.99)), Token("violation", -0.01), Token("0", Math.Log(0.8)) };

        Assert.Equal(0.2, VerdictProbability.FromLogProbabilities(tokens, violation: false)!.Value, 3);
    }

    [Fact]
    public void FromLogProbabilities_KeySplitAcrossTokens_StillFindsTheDigit()
    {
        // Regression: tokenizers split the key ("viol" + "ation"); the digit may arrive glued to punctuation.
        var tokens = new[]
        {
            Token("<|channel|>", 0), Token("final", 0), Token("<|message|>", 0), Token("{\"", 0), Token("viol", 0), Token("ation", 0),
            Token("\":1", Math.Log(0.7), ("\":1", Math.Log(0.7)), ("\":0", Math.Log(0.3))), Token(",\"", 0),
        };

        Assert.Equal(0.7, VerdictProbability.FromLogProbabilities(tokens, violation: true)!.Value, 3);
    }

    [Fact]
    public void FromLogProbabilities_NumberThatIsNotTheVerdictDigit_IsIgnored()
    {
        var tokens = new[] { Token("violation", 0), Token("\":", 0), Token("10", Math.Log(0.5)), Token("1", Math.Log(0.9)) };

        Assert.Equal(0.9, VerdictProbability.FromLogProbabilities(tokens, violation: true)!.Value, 3);
    }

    [Fact]
    public void FromLogProbabilities_NoTokens_IsNull()
    {
        Assert.Null(VerdictProbability.FromLogProbabilities([], violation: true));
        Assert.Null(VerdictProbability.FromLogProbabilities([Token("violation", 0)], violation: true));
    }
}
