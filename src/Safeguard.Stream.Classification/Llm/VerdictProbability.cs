using OpenAI.Chat;

namespace Safeguard.Stream.Classification.Llm;

/// <summary>
/// Derives P(violation) from the logprobs of the verdict digit. vLLM returns logprobs for every generated token,
/// reasoning and harmony markers included, so the digit is found as the last "0"/"1" token that follows a
/// <c>violation</c> key. Where the top alternatives hold both digits, they are renormalised over the two.
/// </summary>
public static class VerdictProbability
{
    public static double? FromLogProbabilities(IReadOnlyList<ChatTokenLogProbabilityDetails>? tokens, bool violation)
    {
        if (tokens is null || tokens.Count == 0)
        {
            return null;
        }

        var sawKey = false;
        ChatTokenLogProbabilityDetails? digit = null;
        foreach (var token in tokens)
        {
            var text = token.Token.Trim().Trim('"', ':', ' ');
            if (text.Contains("violation", StringComparison.OrdinalIgnoreCase))
            {
                sawKey = true;
                digit = null;
            }
            else if (sawKey && digit is null && text is "0" or "1")
            {
                digit = token;
            }
        }

        if (digit is null)
        {
            return null;
        }

        double? p1 = null, p0 = null;
        foreach (var alternative in digit.TopLogProbabilities)
        {
            var text = alternative.Token.Trim().Trim('"');
            if (text == "1")
            {
                p1 ??= Math.Exp(alternative.LogProbability);
            }
            else if (text == "0")
            {
                p0 ??= Math.Exp(alternative.LogProbability);
            }
        }

        var chosen = Math.Exp(digit.LogProbability);
        var digitIsOne = digit.Token.Trim().Trim('"') == "1";
        p1 ??= digitIsOne ? chosen : null;
        p0 ??= digitIsOne ? null : chosen;
        if (p1 is { } one && p0 is { } zero && one + zero > 0)
        {
            return one / (one + zero);
        }

        // Only the chosen digit is known: its probability is the confidence in what was said.
        var confidence = Math.Clamp(chosen, 0, 1);
        return violation ? confidence : 1 - confidence;
    }
}
