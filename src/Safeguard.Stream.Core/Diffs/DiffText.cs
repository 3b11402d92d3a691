namespace Safeguard.Stream.Core.Diffs;

/// <summary>
/// What an edit changed. <see cref="Added"/> and <see cref="Removed"/> are whole lines (a changed line appears on both
/// sides); <see cref="Inserted"/> and <see cref="Deleted"/> are the inline changes inside changed lines (the words the
/// editor typed or took out, without the rest of the paragraph); <see cref="Context"/> is unchanged text around them,
/// moved paragraphs and, for Wikibase, the property path of each change.
/// </summary>
public sealed record DiffText(IReadOnlyList<string> Added, IReadOnlyList<string> Removed, IReadOnlyList<string> Context)
{
    public static DiffText Empty { get; } = new([], [], []);

    /// <summary>Text inserted within changed lines (<c>&lt;ins class="diffchange"&gt;</c>), in document order.</summary>
    public IReadOnlyList<string> Inserted { get; init; } = [];

    /// <summary>Text deleted within changed lines (<c>&lt;del class="diffchange"&gt;</c>), in document order.</summary>
    public IReadOnlyList<string> Deleted { get; init; } = [];

    /// <summary>True when lines were cut to fit the token budget; the prompt says so and the verdict records it.</summary>
    public bool Truncated { get; init; }

    /// <summary>Tokens of what is kept, once <see cref="FitToTokenBudget"/> has counted them; null before.</summary>
    public int? TokenCount { get; init; }

    /// <summary>Nothing was added or taken out: a null edit, or a pure move of paragraphs.</summary>
    public bool IsEmpty => Added.Count == 0 && Removed.Count == 0 && Inserted.Count == 0 && Deleted.Count == 0;

    public int CharacterCount => Sum(Inserted) + Sum(Added) + Sum(Deleted) + Sum(Removed) + Sum(Context);

    /// <summary>
    /// Keeps what the model needs most within <paramref name="maxTokens"/>: added text first (inline insertions, then
    /// added lines), then removed text (inline deletions, then removed lines), then context. Each kept line costs its
    /// tokens plus one for the line break; the line that crosses the budget is cut at a token boundary. Counting is
    /// idempotent: a diff already fitted to this budget or a larger one is returned as it is.
    /// </summary>
    public DiffText FitToTokenBudget(int maxTokens, ITokenCounter counter)
    {
        ArgumentNullException.ThrowIfNull(counter);
        ArgumentOutOfRangeException.ThrowIfNegative(maxTokens);
        if (TokenCount is { } counted && counted <= maxTokens)
        {
            return this;
        }

        var remaining = maxTokens;
        var truncated = false;
        var inserted = Take(Inserted, counter, ref remaining, ref truncated);
        var added = Take(Added, counter, ref remaining, ref truncated);
        var deleted = Take(Deleted, counter, ref remaining, ref truncated);
        var removed = Take(Removed, counter, ref remaining, ref truncated);
        var context = Take(Context, counter, ref remaining, ref truncated);
        return new DiffText(added, removed, context)
        {
            Inserted = inserted,
            Deleted = deleted,
            Truncated = Truncated || truncated,
            TokenCount = maxTokens - remaining,
        };
    }

    /// <summary>
    /// Character budget in the same order as <see cref="FitToTokenBudget"/>. The token budget is applied first, in
    /// enrichment; this is the classifier's own guard (it halves it after a context-length error).
    /// </summary>
    public DiffText TruncateTo(int maxCharacters)
    {
        if (CharacterCount <= maxCharacters)
        {
            return this;
        }

        var remaining = Math.Max(0, maxCharacters);
        var inserted = TakeCharacters(Inserted, ref remaining);
        var added = TakeCharacters(Added, ref remaining);
        var deleted = TakeCharacters(Deleted, ref remaining);
        var removed = TakeCharacters(Removed, ref remaining);
        var context = TakeCharacters(Context, ref remaining);
        return new DiffText(added, removed, context) { Inserted = inserted, Deleted = deleted, Truncated = true };
    }

    private static List<string> TakeCharacters(IReadOnlyList<string> lines, ref int remaining)
    {
        var kept = new List<string>();
        foreach (var line in lines)
        {
            if (remaining <= 0)
            {
                break;
            }

            var take = Math.Min(line.Length, remaining);
            kept.Add(line[..take]);
            remaining -= take;
        }

        return kept;
    }

    /// <summary>A line cut shorter than this many tokens says too little to be worth its place; it is dropped instead.</summary>
    private const int MinimumCutTokens = 8;

    private static List<string> Take(IReadOnlyList<string> lines, ITokenCounter counter, ref int remaining, ref bool truncated)
    {
        var kept = new List<string>(lines.Count);
        foreach (var line in lines)
        {
            if (remaining <= 1)
            {
                truncated = true;
                break;
            }

            var tokens = counter.CountTokens(line) + 1;
            if (tokens <= remaining)
            {
                kept.Add(line);
                remaining -= tokens;
                continue;
            }

            truncated = true;
            if (remaining - 1 >= MinimumCutTokens)
            {
                var cut = counter.GetIndexByTokenCount(line, remaining - 1);
                if (cut > 0)
                {
                    var prefix = line[..cut];
                    kept.Add(prefix);
                    remaining -= Math.Min(remaining, counter.CountTokens(prefix) + 1);
                }
            }

            remaining = 0;
            break;
        }

        return kept;
    }

    private static int Sum(IReadOnlyList<string> lines) => lines.Sum(l => l.Length);
}

/// <summary>Counts tokens the way the model's tokenizer does (o200k for gpt-oss), so the diff fits a token budget.</summary>
public interface ITokenCounter
{
    int CountTokens(string text);

    /// <summary>The length of the longest prefix of <paramref name="text"/> that is at most <paramref name="maxTokens"/> tokens.</summary>
    int GetIndexByTokenCount(string text, int maxTokens);
}
