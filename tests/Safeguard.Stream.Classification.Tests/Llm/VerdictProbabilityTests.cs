using Safeguard.Stream.Classification.Llm;

namespace Safeguard.Stream.Classification.Tests.Llm;

public sealed class VerdictProbabilityTests
{
    private static TokenLogProbability Token(string token, double logprob, params (string Token, double LogProb)[] top) =>
        new(token, logprob, [.. top.Select(t => new TokenAlternative(t.Token, t.LogProb))]);

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

    [Fact]
    public void FromLogProbabilities_ReasoningHoldsAVerdictDigit_ReadsTheFinalAnswerDigit()
    {
        // The reasoning ends with its own {"violation": 1}; the final answer, after the final-channel marker, is a bare 0.
        var tokens = new[]
        {
            Token("<|channel|>", 0), Token("analysis", 0), Token("<|message|>", 0),
            Token("Draft", -0.2), Token(": {\"", -0.1), Token("violation", -0.1), Token("\":", -0.1),
            Token("1", Math.Log(0.95), ("1", Math.Log(0.95)), ("0", Math.Log(0.05))), Token("}", -0.1),
            Token("<|end|>", 0), Token("<|start|>", 0), Token("assistant", 0), Token("<|channel|>", 0), Token("final", 0), Token("<|message|>", 0),
            Token("0", Math.Log(0.7), ("0", Math.Log(0.7)), ("1", Math.Log(0.3))),
            Token("<|return|>", 0),
        };

        var p = VerdictProbability.FromLogProbabilities(tokens, violation: false, content: "0");

        Assert.Equal(0.3, p!.Value, 3);
    }

    [Fact]
    public void FromLogProbabilities_ConstrainTokenBetweenFinalAndMessage_StillFindsTheAnswer()
    {
        var tokens = new[]
        {
            Token("violation", 0), Token("1", Math.Log(0.99)),
            Token("<|channel|>", 0), Token("final", 0), Token(" <|constrain|>", 0), Token("json", 0), Token("<|message|>", 0),
            Token("{\"", 0), Token("violation", 0), Token("\":", 0), Token("0", Math.Log(0.6), ("0", Math.Log(0.6)), ("1", Math.Log(0.4))), Token("}", 0),
        };

        Assert.Equal(0.4, VerdictProbability.FromLogProbabilities(tokens, violation: false, content: "{\"violation\":0}")!.Value, 3);
    }

    [Fact]
    public void FromLogProbabilities_RationaleMentionsViolationAgain_UsesTheKeysDigit()
    {
        // The answer's own key comes first; a later "violation 1 of 3" in the rationale must not be read.
        var tokens = new[]
        {
            Token("<|channel|>", 0), Token("final", 0), Token("<|message|>", 0),
            Token("{\"", 0), Token("violation", 0), Token("\":", 0), Token("0", Math.Log(0.8), ("0", Math.Log(0.8)), ("1", Math.Log(0.2))),
            Token(",\"rationale\":\"", 0), Token("no", 0), Token(" violation", 0), Token(" ", 0), Token("1", Math.Log(0.99)), Token("\"}", 0),
        };

        Assert.Equal(0.2, VerdictProbability.FromLogProbabilities(tokens, violation: false, content: null)!.Value, 3);
    }

    [Fact]
    public void FromLogProbabilities_NoMarkers_LocatesTheAnswerFromTheContent()
    {
        // Some servers leave harmony markers out of logprobs: the answer is the tail whose text is the content.
        var tokens = new[]
        {
            Token("The", 0), Token(" violation", 0), Token(" is", 0), Token(" 1", Math.Log(0.99)), Token(" surely", 0),
            Token("1", Math.Log(0.55), ("1", Math.Log(0.55)), ("0", Math.Log(0.45))),
        };

        Assert.Equal(0.55, VerdictProbability.FromLogProbabilities(tokens, violation: true, content: "1")!.Value, 3);
    }

    [Theory]
    [InlineData(true, null, 1.0)]
    [InlineData(false, null, 0.0)]
    [InlineData(true, "high", 0.95)]
    [InlineData(true, "medium", 0.8)]
    [InlineData(true, "low", 0.6)]
    [InlineData(false, "high", 0.05)]
    public void Fallback_WithoutLogprobs_FollowsTheDocumentedMapping(bool violation, string? confidence, double expected)
    {
        var verdict = new Safeguard.Stream.Core.Verdicts.ParsedVerdict(violation, null, null) { Confidence = confidence };

        Assert.Equal(expected, VerdictProbability.Fallback(verdict), 6);
    }
}
