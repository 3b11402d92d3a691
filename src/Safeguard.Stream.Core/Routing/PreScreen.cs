namespace Safeguard.Stream.Core.Routing;

/// <summary>
/// The deterministic rules that let an edit skip one policy's model request when the edit cannot violate it (OpenAI's
/// guide for gpt-oss-safeguard: pre-filter, then classify). Each rule errs towards classifying: a skip needs proof
/// that the policy has nothing to judge, never a guess that the edit is harmless. Returns the skip reason
/// (<see cref="SkipReason.Revert"/>, <see cref="SkipReason.FormattingOnly"/>, <see cref="SkipReason.NothingAdded"/>),
/// or null to classify.
/// </summary>
public static class PreScreen
{
    /// <summary>Above this many added × removed line pairs the "nothing added" proof is not attempted (the edit is classified).</summary>
    private const int MaxLinePairs = 10_000;

    public static string? Check(Policy policy, EditEvent edit, DiffText diff)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(edit);
        ArgumentNullException.ThrowIfNull(diff);

        if (edit.IsRevert)
        {
            return SkipReason.Revert;
        }

        // A diff cut to the token budget no longer shows the whole change: nothing can be proved from it.
        if (diff.Truncated)
        {
            return null;
        }

        if (IsFormattingOnly(diff))
        {
            return SkipReason.FormattingOnly;
        }

        return policy.Judges == PolicyJudges.Added && AddsNothing(diff) ? SkipReason.NothingAdded : null;
    }

    /// <summary>
    /// The policy's revert-risk gate (<see cref="Policy.Gate"/>): <see cref="SkipReason.RevertRiskBelowGate"/> when the
    /// edit was scored below it; null to classify, always so when there is no score (the gate fails open).
    /// </summary>
    public static string? CheckGate(Policy policy, RevertRiskScore? score)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy.Gate is { } gate && gate.Skips(score) ? SkipReason.RevertRiskBelowGate : null;
    }

    /// <summary>
    /// The words and numbers on both sides are the same, in the same order: only white space between words,
    /// punctuation or wiki markup changed (bold and italic quotes, <c>[[link]]</c> brackets, list and heading marks).
    /// Case counts as a change, and so does joining or splitting words ("the rapist" to "therapist").
    /// </summary>
    public static bool IsFormattingOnly(DiffText diff)
    {
        ArgumentNullException.ThrowIfNull(diff);
        return Words(diff.Added).SequenceEqual(Words(diff.Removed), StringComparer.Ordinal) && Words(diff.Inserted).Length == 0 && Words(diff.Deleted).Length == 0;
    }

    /// <summary>
    /// Nothing new was written: no inline insertion carries a word or number, and every added line's words are, in
    /// order, part of a removed line (a line that only lost words). A line moved or cut is not an addition.
    /// </summary>
    public static bool AddsNothing(DiffText diff)
    {
        ArgumentNullException.ThrowIfNull(diff);
        if (diff.Inserted.Any(line => Words(line).Length > 0))
        {
            return false;
        }

        if (diff.Added.Count * Math.Max(1, diff.Removed.Count) > MaxLinePairs)
        {
            return false;
        }

        var removed = diff.Removed.Select(Words).ToList();
        foreach (var line in diff.Added)
        {
            var added = Words(line);
            if (added.Length > 0 && !removed.Any(r => IsSubsequence(added, r)))
            {
                return false;
            }
        }

        return true;
    }

    private static string[] Words(IReadOnlyList<string> lines) => lines.SelectMany(Words).ToArray();

    /// <summary>The words: maximal runs of letters, digits, marks and symbols, split by anything else (space, punctuation, markup).</summary>
    private static string[] Words(string text)
    {
        var words = new List<string>();
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var meaningful = i < text.Length && IsMeaningful(text[i]);
            if (meaningful && start < 0)
            {
                start = i;
            }
            else if (!meaningful && start >= 0)
            {
                words.Add(text[start..i]);
                start = -1;
            }
        }

        return [.. words];
    }

    private static bool IsMeaningful(char c)
    {
        if (c is '=' or '|' or '<' or '>' or '~' or '^' or '`')
        {
            return false;
        }

        return char.GetUnicodeCategory(c) switch
        {
            UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Control or
            UnicodeCategory.Format or UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or
            UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation or
            UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation => false,
            _ => true,
        };
    }

    private static bool IsSubsequence(string[] small, string[] large)
    {
        if (small.Length > large.Length)
        {
            return false;
        }

        var at = 0;
        foreach (var word in large)
        {
            if (at < small.Length && string.Equals(small[at], word, StringComparison.Ordinal))
            {
                at++;
            }
        }

        return at == small.Length;
    }
}
