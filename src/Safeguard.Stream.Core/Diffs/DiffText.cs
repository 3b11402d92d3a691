namespace Safeguard.Stream.Core.Diffs;

/// <summary>What an edit changed: added and removed lines, and a little unchanged context around them.</summary>
public sealed record DiffText(IReadOnlyList<string> Added, IReadOnlyList<string> Removed, IReadOnlyList<string> Context)
{
    public static DiffText Empty { get; } = new([], [], []);

    /// <summary>True when lines were cut to fit the budget; the prompt says so and the verdict records it.</summary>
    public bool Truncated { get; init; }

    public bool IsEmpty => Added.Count == 0 && Removed.Count == 0;

    public int CharacterCount => Added.Sum(l => l.Length) + Removed.Sum(l => l.Length) + Context.Sum(l => l.Length);

    /// <summary>
    /// Keeps added text first, then removed, then context, within <paramref name="maxCharacters"/>.
    /// A token budget (o200k) replaces this character budget once the tokenizer lands in enrichment.
    /// </summary>
    public DiffText TruncateTo(int maxCharacters)
    {
        if (CharacterCount <= maxCharacters)
        {
            return this;
        }

        var remaining = maxCharacters;
        var added = Take(Added, ref remaining);
        var removed = Take(Removed, ref remaining);
        var context = Take(Context, ref remaining);
        return new DiffText(added, removed, context) { Truncated = true };
    }

    private static List<string> Take(IReadOnlyList<string> lines, ref int remaining)
    {
        var kept = new List<string>();
        foreach (var line in lines)
        {
            if (remaining <= 0)
            {
                break;
            }

            if (line.Length <= remaining)
            {
                kept.Add(line);
                remaining -= line.Length;
            }
            else
            {
                kept.Add(line[..remaining]);
                remaining = 0;
            }
        }

        return kept;
    }
}
