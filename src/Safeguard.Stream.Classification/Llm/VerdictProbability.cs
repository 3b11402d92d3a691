using System.Text;
using OpenAI.Chat;

namespace Safeguard.Stream.Classification.Llm;

/// <summary>
/// Derives P(violation) from the logprobs of the verdict digit. vLLM returns logprobs for every generated token —
/// reasoning and harmony markers included — and a tokenizer splits the <c>violation</c> key into pieces, so the
/// tokens are joined back into text, the last <c>violation</c> key is found in it, and the first token after it that
/// carries a 0/1 digit is the verdict. Where the top alternatives hold both digits they are renormalised over the two.
/// </summary>
public static class VerdictProbability
{
    private const string Key = "violation";

    public static double? FromLogProbabilities(IReadOnlyList<ChatTokenLogProbabilityDetails>? tokens, bool violation)
    {
        if (tokens is null || tokens.Count == 0)
        {
            return null;
        }

        var text = new StringBuilder();
        var starts = new int[tokens.Count];
        for (var i = 0; i < tokens.Count; i++)
        {
            starts[i] = text.Length;
            text.Append(tokens[i].Token);
        }

        var keyAt = text.ToString().LastIndexOf(Key, StringComparison.OrdinalIgnoreCase);
        if (keyAt < 0)
        {
            return null;
        }

        var afterKey = keyAt + Key.Length;
        ChatTokenLogProbabilityDetails? digit = null;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (starts[i] + tokens[i].Token.Length <= afterKey)
            {
                continue;
            }

            if (Digit(tokens[i].Token) is not null)
            {
                digit = tokens[i];
                break;
            }
        }

        if (digit is null)
        {
            return null;
        }

        double? p1 = null, p0 = null;
        foreach (var alternative in digit.TopLogProbabilities)
        {
            switch (Digit(alternative.Token))
            {
                case '1':
                    p1 ??= Math.Exp(alternative.LogProbability);
                    break;
                case '0':
                    p0 ??= Math.Exp(alternative.LogProbability);
                    break;
            }
        }

        var chosen = Math.Exp(digit.LogProbability);
        var digitIsOne = Digit(digit.Token) == '1';
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

    /// <summary>The verdict digit a token carries once JSON punctuation is set aside (<c>":1</c> → 1), or null.</summary>
    private static char? Digit(string token)
    {
        var core = token.AsSpan().Trim().TrimStart("\":").Trim();
        if (core.Length == 0 || core[0] is not ('0' or '1'))
        {
            return null;
        }

        return core.Length == 1 || !char.IsAsciiDigit(core[1]) ? core[0] : null;
    }
}
