using Microsoft.ML.Tokenizers;

namespace Safeguard.Stream.MediaWiki;

/// <summary>gpt-oss's tokenizer (o200k_base, from Microsoft.ML.Tokenizers): the diff's token budget is counted as the model counts.</summary>
public sealed class O200kTokenCounter : ITokenCounter
{
    // Loading the vocabulary takes a moment and some megabytes: once per process, on first use.
    private static readonly Lazy<Tokenizer> s_tokenizer = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    public int CountTokens(string text) => s_tokenizer.Value.CountTokens(text);

    public int GetIndexByTokenCount(string text, int maxTokens) =>
        s_tokenizer.Value.GetIndexByTokenCount(text, maxTokens, out _, out _);
}
