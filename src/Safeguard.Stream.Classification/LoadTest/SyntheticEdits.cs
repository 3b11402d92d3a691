namespace Safeguard.Stream.Classification.LoadTest;

/// <summary>
/// Made-up enwiki edits for load tests, deterministic in their number: edit <c>n</c> of a size is always the same text,
/// and no two edits share text beyond the template (so vLLM's prefix cache serves the policy, as in production, and
/// not the edit). The added text is plain prose drawn from a fixed word list and grown until the rendered user
/// message (<see cref="Core.Prompts.EditPromptRenderer"/>, exactly as the worker sends it) has the requested number of
/// o200k tokens, gpt-oss's tokenizer. The words carry no signal any policy looks for: the answers measure the server,
/// not moderation.
/// </summary>
public static class SyntheticEdits
{
    /// <summary>Tokens of the rendered edit in the concurrency sweep: a short article edit with its template.</summary>
    public const int TypicalEditTokens = 256;

    private static readonly string[] s_words =
    [
        "river", "valley", "station", "railway", "century", "village", "parish", "county", "bridge", "harbour", "church",
        "museum", "library", "council", "market", "festival", "history", "census", "population", "district", "school",
        "college", "mountain", "forest", "northern", "southern", "eastern", "western", "built", "opened", "closed",
        "founded", "renamed", "restored", "extended", "described", "recorded", "listed", "located", "served", "the",
        "of", "and", "in", "was", "by", "with", "from", "near", "after", "during", "between", "its", "a", "an", "to",
    ];

    /// <summary>
    /// Edit number <paramref name="index"/> whose rendered user message has about <paramref name="targetTokens"/> o200k
    /// tokens (within a few per cent; or, below the template's own size, as few as it can).
    /// </summary>
    public static ClassificationRequest Create(int index, int targetTokens, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfLessThan(targetTokens, 1);
        // The text is sized once per (slot, size), so a request costs no tokenizer call; the edit's own title, and the
        // fence hashed from it and the text (hex digits tokenise differently each time), move its size by a few tokens
        // around the slot's: the mean is what a load test needs, and the server's usage reports the exact count.
        return Render(Edit(index, now), Sized(index % TextVariants, targetTokens, now));
    }

    /// <summary>Sizes every text variant for <paramref name="targetTokens"/> ahead of a step, so that no request waits for the tokenizer.</summary>
    public static void Prepare(int targetTokens, DateTimeOffset now)
    {
        for (var slot = 0; slot < TextVariants; slot++)
        {
            Sized(slot, targetTokens, now);
        }
    }

    private static List<string> Sized(int slot, int targetTokens, DateTimeOffset now) =>
        s_sized.GetOrAdd((slot, targetTokens), key => Fit(Edit(key.Slot, now), [], key.Tokens, (ulong)key.Slot));

    private const int TextVariants = 64;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(int Slot, int Tokens), List<string>> s_sized = new();

    /// <summary>Grows <paramref name="words"/> by estimates, then trims it word by word, until the rendered edit has the target tokens.</summary>
    private static List<string> Fit(EditEvent edit, List<string> words, int targetTokens, ulong seed)
    {
        // A fixed linear congruential sequence (Knuth's MMIX constants): the same words on every machine and run.
        var state = (seed * 1_000_003UL) + (ulong)targetTokens;
        var tokens = Tokens(Render(edit, words));
        while (tokens < targetTokens)
        {
            var add = Math.Max(1, (targetTokens - tokens) * 3 / 4);
            for (var i = 0; i < add; i++)
            {
                state = (state * 6364136223846793005UL) + 1442695040888963407UL;
                words.Add(s_words[(int)((state >> 33) % (ulong)s_words.Length)]);
            }

            tokens = Tokens(Render(edit, words));
        }

        while (tokens > targetTokens && words.Count > 0)
        {
            var last = words[^1];
            words.RemoveAt(words.Count - 1);
            var smaller = Tokens(Render(edit, words));
            if (smaller < targetTokens)
            {
                words.Add(last);
                break;
            }

            tokens = smaller;
        }

        return words;
    }

    /// <summary>The o200k tokens of the user message the worker would send for <paramref name="request"/>.</summary>
    public static int Tokens(ClassificationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return PolicyLinter.CountTokens(Core.Prompts.EditPromptRenderer.Render(request.Edit, request.Diff));
    }

    private static ClassificationRequest Render(EditEvent edit, List<string> words)
    {
        // Lines of about twelve words, as paragraphs of an article would be split by the diff.
        var lines = new List<string>();
        var line = new StringBuilder();
        for (var i = 0; i < words.Count; i++)
        {
            line.Append(i % 12 == 0 && line.Length > 0 ? ". " : line.Length > 0 ? " " : "").Append(words[i]);
            if (i % 12 == 11)
            {
                lines.Add(line.Append('.').ToString());
                line.Clear();
            }
        }

        if (line.Length > 0)
        {
            lines.Add(line.Append('.').ToString());
        }

        return new ClassificationRequest(edit, new DiffText(lines, [], []));
    }

    private static EditEvent Edit(int index, DateTimeOffset now) => new()
    {
        SchemaUri = "/mediawiki/page/change/1.3.0",
        Stream = "mediawiki.page_change.v1",
        Domain = "en.wikipedia.org",
        WikiId = "enwiki",
        RevId = 900_000_000 + index,
        ParentRevId = 800_000_000 + index,
        Kind = EditKind.Edit,
        SourceKind = "edit",
        PageTitle = string.Create(CultureInfo.InvariantCulture, $"Load test page {index}"),
        Namespace = 0,
        EventTime = now,
        Comment = string.Create(CultureInfo.InvariantCulture, $"load test edit {index}"),
    };
}
