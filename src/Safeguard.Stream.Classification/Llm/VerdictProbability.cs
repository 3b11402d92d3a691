namespace Safeguard.Stream.Classification.Llm;

/// <summary>
/// P(violation) for a verdict.
/// <para>
/// <b>From logprobs</b> (<see cref="FromLogProbabilities(IReadOnlyList{TokenLogProbability}, bool, string)"/>): vLLM returns logprobs for every generated token — the
/// analysis channel, the harmony markers and the final answer — so the reasoning may well contain "violation" and
/// a 0 or 1 of its own. Only the final answer counts: the search starts after the last final-channel marker
/// (<c>&lt;|channel|&gt;final … &lt;|message|&gt;</c>) when the server included the markers, otherwise at the start of
/// the answer text (the tokens whose concatenation ends with the returned content), and only then on the whole
/// stream. Within the answer the digit is the first 0/1 token after the <c>violation</c> key (tokenizers split the
/// key, so tokens are joined back into text), or the first 0/1 token of a bare-digit answer. Where the top
/// alternatives hold both digits they are renormalised over the two; otherwise the chosen digit's own probability
/// is the confidence in what was said.
/// </para>
/// <para>
/// <b>Fallback</b> (<see cref="Fallback"/>) when the server returned no logprobs, or none could be matched to the
/// verdict digit. The verdict keeps <c>Probability = null</c> (nothing was measured) and the flag decision uses this
/// documented mapping: a violation scores 1.0 and a non-violation 0.0, unless the answer carried the guide's
/// <c>confidence</c> word, which maps to high 0.95, medium 0.8, low 0.6 (and 1 − that for a non-violation).
/// So without logprobs a violation is flagged when the policy's threshold is at most 1.0 (or at most the confidence
/// value).
/// </para>
/// </summary>
public static class VerdictProbability
{
    private const string ChannelMarker = "<|channel|>";
    private const string FinalMarker = "final";
    private const string MessageMarker = "<|message|>";

    public static double? FromLogProbabilities(IReadOnlyList<TokenLogProbability>? tokens, bool violation) =>
        FromLogProbabilities(tokens, violation, content: null);

    /// <param name="tokens">The completion's logprobs, all generated tokens.</param>
    /// <param name="violation">The parsed verdict.</param>
    /// <param name="content">The final answer text, used to find where the answer starts when the markers are absent.</param>
    public static double? FromLogProbabilities(IReadOnlyList<TokenLogProbability>? tokens, bool violation, string? content) =>
        FromLogProbabilities(tokens, violation, content, anchor: null);

    /// <summary>
    /// For a bundled answer: the digit of the policy whose answer key (<paramref name="anchor"/>, e.g. <c>"spam"</c>)
    /// comes first in the final answer, so each policy's probability is read from its own verdict digit. Null when the
    /// answer is not located or the key is not in it (the fallback then applies).
    /// </summary>
    public static double? FromLogProbabilities(IReadOnlyList<TokenLogProbability>? tokens, bool violation, string? content, string? anchor)
    {
        if (tokens is null || tokens.Count == 0)
        {
            return null;
        }

        // The answer's tokens as read (the fast path), or a list built in memory.
        var stream = AnswerTokens.From(tokens);
        var text = stream.Text;
        var answerStart = FinalAnswerStart(text, content);
        // The answer's own key comes first in it (a rationale may mention "violation" again); with the answer not
        // located, the last key of the stream is the best guess, as reasoning precedes the answer.
        if (anchor is not null)
        {
            var anchorAt = answerStart > 0 ? text.IndexOf(anchor, answerStart, StringComparison.Ordinal) : -1;
            if (anchorAt < 0)
            {
                return null;
            }

            answerStart = anchorAt + anchor.Length;
        }

        var keyAt = answerStart > 0
            ? text.IndexOf(VerdictParser.ViolationKey, answerStart, StringComparison.OrdinalIgnoreCase)
            : text.LastIndexOf(VerdictParser.ViolationKey, StringComparison.OrdinalIgnoreCase);
        var searchFrom = keyAt >= answerStart ? keyAt + VerdictParser.ViolationKey.Length : answerStart;
        if (keyAt < answerStart && answerStart == 0)
        {
            return null; // no final answer located and no key: nothing tells which digit is the verdict
        }

        // The first token that ends past searchFrom (and so past the answer's start) and carries a digit.
        for (var i = stream.TokenEndingAfter(searchFrom); i < stream.Count; i++)
        {
            if (Digit(stream.Token(i)) is not null)
            {
                return stream.TryGet(i) is { } digit ? FromDigit(digit, violation) : null;
            }
        }

        return null;
    }

    /// <summary>The documented mapping used when no logprob-based probability exists (see the class summary).</summary>
    public static double Fallback(ParsedVerdict verdict)
    {
        var confidence = verdict.Confidence switch
        {
            "high" => 0.95,
            "medium" => 0.8,
            "low" => 0.6,
            _ => 1.0,
        };
        return verdict.Violation ? confidence : 1 - confidence;
    }

    /// <summary>Character offset where the final answer starts in the joined token text; 0 when it cannot be told.</summary>
    private static int FinalAnswerStart(string text, string? content)
    {
        var channel = text.LastIndexOf(ChannelMarker + FinalMarker, StringComparison.Ordinal);
        if (channel >= 0)
        {
            // vLLM's reasoning-end detector allows a few tokens (e.g. "<|constrain|>json") between "final" and "<|message|>".
            var message = text.IndexOf(MessageMarker, channel, StringComparison.Ordinal);
            return message >= 0 ? message + MessageMarker.Length : channel + ChannelMarker.Length + FinalMarker.Length;
        }

        if (!string.IsNullOrEmpty(content))
        {
            // Trailing harmony control tokens (<|return|>, <|end|>) follow the answer.
            var body = text.TrimEnd();
            while (body.EndsWith("|>", StringComparison.Ordinal) && body.LastIndexOf("<|", StringComparison.Ordinal) is var open and >= 0)
            {
                body = body[..open].TrimEnd();
            }

            var answer = content.Trim();
            if (body.EndsWith(answer, StringComparison.Ordinal))
            {
                return body.Length - answer.Length;
            }
        }

        return 0;
    }

    private static double FromDigit(TokenLogProbability digit, bool violation)
    {
        double? p1 = null, p0 = null;
        foreach (var alternative in digit.TopAlternatives)
        {
            switch (Digit(alternative.Token.AsSpan()))
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
        var digitIsOne = Digit(digit.Token.AsSpan()) == '1';
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
    private static char? Digit(ReadOnlySpan<char> token)
    {
        var core = token.Trim().TrimStart("\":").Trim();
        if (core.Length == 0 || core[0] is not ('0' or '1'))
        {
            return null;
        }

        return core.Length == 1 || !char.IsAsciiDigit(core[1]) ? core[0] : null;
    }
}
