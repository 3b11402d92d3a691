using System.Text;
using Safeguard.Stream.Core.Diffs;

namespace Safeguard.Stream.MediaWiki.Tests.RealWiki;

/// <summary>
/// The true change between two texts the test wrote, computed without wikidiff2, and the checks a
/// <see cref="DiffText"/> read from <c>action=compare</c> must pass against it.
/// <para>
/// Lines: the texts as MediaWiki stores them (NFC, CR LF as LF, trailing whitespace of the whole text cut), split at
/// LF, each line trimmed, blank lines dropped — the parser's documented unit. Which occurrence of a repeated line a
/// diff marks is a choice of the diff algorithm, so the oracle does not fix an alignment. It checks what every
/// correct line diff has: (1) added lines are lines of the new text and removed lines of the old, each in document
/// order (a subsequence); (2) for every distinct line, <c>added − removed = in new − in old</c> (counts). Moved
/// paragraphs are the one documented exception: the parser gives a moved paragraph's new side as context and neither
/// side as added or removed; so a line whose count is off by +1 must be in context, a line off by −1 must have such a
/// partner, and the two tallies must match.
/// </para>
/// <para>
/// Words: every inline fragment is text of a line on its side; and for edits that only change words inside lines
/// (the generator knows each line before and after), the added and removed lines are exactly those, and the
/// characters of the inserted fragments minus those of the deleted ones equal the characters of the new lines minus
/// the old (whitespace aside, since fragments are trimmed): any word diff that splits each line into kept, inserted
/// and deleted parts has that property, whatever alignment it picks.
/// </para>
/// </summary>
public static class DiffOracle
{
    /// <summary>The text as MediaWiki saves it: NFC, LF line ends, trailing whitespace cut.</summary>
    public static string AsStored(string text) => text.Normalize(NormalizationForm.FormC).Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd();

    /// <summary>The parser's unit: lines trimmed, blank lines dropped.</summary>
    public static List<string> Lines(string? text) =>
        text is null ? [] : [.. AsStored(text).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];

    /// <summary>Problems found (empty: the diff is right). <paramref name="oldText"/> null = a page creation.</summary>
    public static List<string> Check(string? oldText, string newText, DiffText diff, IReadOnlyList<LinePair> wordChanges, bool wordChangesOnly)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(wordChanges);
        var problems = new List<string>();
        var oldLines = Lines(oldText);
        var newLines = Lines(newText);

        if (oldText is null)
        {
            // A creation: the whole page is added, in order, and nothing else.
            if (!diff.Added.SequenceEqual(newLines))
            {
                problems.Add($"creation: added {Show(diff.Added)} but the page is {Show(newLines)}");
            }

            if (diff.Removed.Count + diff.Inserted.Count + diff.Deleted.Count + diff.Context.Count > 0)
            {
                problems.Add("creation: removed, inline or context text reported");
            }

            return problems;
        }

        if (!IsSubsequence(diff.Added, newLines))
        {
            problems.Add($"added lines are not lines of the new text in order: {Show(diff.Added.Where(l => !newLines.Contains(l)))}");
        }

        if (!IsSubsequence(diff.Removed, oldLines))
        {
            problems.Add($"removed lines are not lines of the old text in order: {Show(diff.Removed.Where(l => !oldLines.Contains(l)))}");
        }

        foreach (var line in diff.Context.Where(l => !newLines.Contains(l)))
        {
            problems.Add($"context line not in the new text: {Show([line])}");
        }

        // Net change per distinct line.
        var offBy = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in newLines)
        {
            Bump(offBy, line, +1);
        }

        foreach (var line in oldLines)
        {
            Bump(offBy, line, -1);
        }

        foreach (var line in diff.Added)
        {
            Bump(offBy, line, -1);
        }

        foreach (var line in diff.Removed)
        {
            Bump(offBy, line, +1);
        }

        var movedNew = offBy.Where(p => p.Value == 1 && diff.Context.Contains(p.Key)).Select(p => p.Key).ToList();
        var movedOld = offBy.Where(p => p.Value == -1 && oldLines.Contains(p.Key) && !newLines.Contains(p.Key)).Select(p => p.Key).ToList();
        foreach (var (line, off) in offBy.Where(p => p.Value != 0))
        {
            if (off == 1 && movedNew.Contains(line) || off == -1 && movedOld.Contains(line))
            {
                continue;
            }

            problems.Add(off > 0
                ? $"line missing from added ({off}x): {Show([line])}"
                : $"line missing from removed or reported added too often ({-off}x): {Show([line])}");
        }

        if (movedNew.Count != movedOld.Count)
        {
            problems.Add($"moved-and-changed paragraphs do not pair up: {movedNew.Count} new sides in context, {movedOld.Count} old sides unreported ({Show(movedOld)})");
        }

        // Inline fragments are text of their side.
        var newSide = diff.Added.Concat(diff.Context).ToList();
        foreach (var fragment in diff.Inserted.Where(f => !newSide.Any(l => l.Contains(f, StringComparison.Ordinal))))
        {
            problems.Add($"inserted fragment not in an added or context line: {Show([fragment])}");
        }

        foreach (var fragment in diff.Deleted.Where(f => !diff.Removed.Concat(oldLines).Any(l => l.Contains(f, StringComparison.Ordinal))))
        {
            problems.Add($"deleted fragment not in a removed line: {Show([fragment])}");
        }

        if (wordChangesOnly)
        {
            var pairs = wordChanges.Select(p => (Before: Lines(p.Before).SingleOrDefault() ?? "", After: Lines(p.After).SingleOrDefault() ?? ""))
                .Where(p => p.Before != p.After).ToList();
            var expectedAdded = pairs.Select(p => p.After).Order(StringComparer.Ordinal).ToList();
            var expectedRemoved = pairs.Select(p => p.Before).Order(StringComparer.Ordinal).ToList();
            if (!diff.Added.Order(StringComparer.Ordinal).SequenceEqual(expectedAdded) && !AllMoved(diff, pairs))
            {
                problems.Add($"word change: added {Show(diff.Added)}, expected {Show(expectedAdded)}");
            }

            if (!diff.Removed.Order(StringComparer.Ordinal).SequenceEqual(expectedRemoved) && !AllMoved(diff, pairs))
            {
                problems.Add($"word change: removed {Show(diff.Removed)}, expected {Show(expectedRemoved)}");
            }

            var expected = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (before, after) in pairs)
            {
                AddCharacters(expected, after, +1);
                AddCharacters(expected, before, -1);
            }

            var reported = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var fragment in diff.Inserted)
            {
                AddCharacters(reported, fragment, +1);
            }

            foreach (var fragment in diff.Deleted)
            {
                AddCharacters(reported, fragment, -1);
            }

            var differing = expected.Keys.Union(reported.Keys)
                .Where(k => expected.GetValueOrDefault(k) != reported.GetValueOrDefault(k)).ToList();
            // wikidiff2 shows a line whose words changed too much as a whole removed line and a whole added line, with
            // no inline markup: then there are no fragments to check, and the lines were checked above.
            var shownWhole = diff.Inserted.Count == 0 && diff.Deleted.Count == 0;
            if (differing.Count > 0 && !shownWhole)
            {
                problems.Add($"word change: inserted − deleted characters differ from the true change for {Show(differing)}; inserted {Show(diff.Inserted)}, deleted {Show(diff.Deleted)}");
            }
        }

        return problems;
    }

    private static bool AllMoved(DiffText diff, List<(string Before, string After)> pairs) => pairs.All(p => diff.Context.Contains(p.After));

    private static void Bump(Dictionary<string, int> counts, string key, int by)
    {
        counts[key] = counts.GetValueOrDefault(key) + by;
    }

    /// <summary>Counts code points, whitespace aside (a word diff may split a base letter from its combining mark).</summary>
    private static void AddCharacters(Dictionary<string, int> counts, string text, int by)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            if (!Rune.IsWhiteSpace(rune))
            {
                Bump(counts, rune.ToString(), by);
            }
        }
    }

    private static bool IsSubsequence(IReadOnlyList<string> part, List<string> whole)
    {
        var at = 0;
        foreach (var line in part)
        {
            while (at < whole.Count && whole[at] != line)
            {
                at++;
            }

            if (at == whole.Count)
            {
                return false;
            }

            at++;
        }

        return true;
    }

    private static string Show(IEnumerable<string> lines) =>
        "[" + string.Join(", ", lines.Select(l => "\"" + (l.Length > 120 ? l[..60] + "…" + l[^40..] : l) + "\"")) + "]";
}
