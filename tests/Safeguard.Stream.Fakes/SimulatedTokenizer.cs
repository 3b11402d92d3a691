using System.Text.RegularExpressions;

namespace Safeguard.Stream.Fakes;

/// <summary>
/// A stand-in tokenizer for token counts and logprob tokens. It is NOT o200k: a word (with its leading space), a single
/// digit, or a run of punctuation is one token, and words longer than 8 characters are cut into 6-character pieces.
/// On English prose that gives about 4–5 characters per token, close enough to o200k for usage accounting and
/// batching tests; exact counts will differ from the real model.
/// </summary>
public static partial class SimulatedTokenizer
{
    private const int LongPiece = 8;
    private const int ChunkSize = 6;

    /// <summary>Splits <paramref name="text"/> into tokens whose concatenation is the text itself.</summary>
    public static List<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<string>();
        foreach (var match in PieceRegex().EnumerateMatches(text))
        {
            var piece = text.AsSpan(match.Index, match.Length);
            while (piece.Length > LongPiece)
            {
                tokens.Add(piece[..ChunkSize].ToString());
                piece = piece[ChunkSize..];
            }

            tokens.Add(piece.ToString());
        }

        return tokens;
    }

    /// <summary>Token count of <paramref name="text"/>.</summary>
    public static int Count(string text) => Tokenize(text).Count;

    [GeneratedRegex(@"\s?[\p{L}\p{M}]+|\s?\d|\s?[^\s\p{L}\p{M}\d]+|\s+")]
    private static partial Regex PieceRegex();
}
