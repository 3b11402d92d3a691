using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Safeguard.Stream.Core.Diffs;

/// <summary>
/// Reads the diff HTML that <c>action=compare</c> returns, by class names rather than positions:
/// <list type="bullet">
/// <item>table format, current wikidiff2 (<c>diff-addedline diff-side-added</c>, <c>diff-context diff-side-deleted</c>,
/// <c>data-marker</c>) and older output (marker as cell text, no <c>diff-side-*</c>, <c>diff-empty</c> with <c>&amp;#160;</c>);</item>
/// <item>Wikibase rows (the property path in <c>diff-lineno</c>, rendered values with nested tables inside the cell);</item>
/// <item>inline format (<c>mw-diff-inline-added|deleted|changed|moved|context</c>) and unified format (<c>&lt;pre&gt;</c> hunks).</item>
/// </list>
/// Markup is stripped and HTML entities decoded once. A changed line gives its whole old and new text (removed and
/// added) and its inline <c>&lt;del&gt;</c>/<c>&lt;ins&gt;</c> fragments; a moved paragraph is context, with its inline
/// changes kept. Line-number headers and diff-cache comments are ignored. Never throws on malformed input, and every
/// line it returns is text of the input.
/// </summary>
public static partial class DiffHtmlParser
{
    private enum Role
    {
        None,
        Added,
        Removed,
        Context,
        LineNumber,
        Marker,
        Changed,
        Moved,
        Unified,
    }

    public static DiffText Parse(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        var output = new Output();
        var row = new List<Block>();
        Block? block = null;
        string? moveMarkerInRow = null; // the row's move target: null = no move, "" = a move without a known target
        var moveAnchors = MoveAnchors(html);

        foreach (var token in HtmlTokenizer.Tokenize(html))
        {
            if (block is not null)
            {
                if (!block.Consume(token))
                {
                    continue;
                }

                // The block ended; the token that ended it may open the next one.
                if (block.Role == Role.Marker)
                {
                    // A move counts only when its other side is in the diff: wikidiff2 sometimes links a paragraph to
                    // an anchor it never writes, and shows the partner as a plain deletion. Such a "move" is new text.
                    if (block.MoveTarget is { } target && (target.Length == 0 || moveAnchors.Contains(target)))
                    {
                        moveMarkerInRow = target;
                    }
                }
                else
                {
                    row.Add(block);
                    if (!block.IsCell)
                    {
                        EndRow(output, row, ref moveMarkerInRow); // an inline-format line or a <pre> is a row of its own
                    }
                }

                block = null;
            }

            if (token.Kind == HtmlTokenKind.StartTag && token.Name == "tr" || token.Kind == HtmlTokenKind.EndTag && token.Name is "tr" or "table")
            {
                EndRow(output, row, ref moveMarkerInRow);
            }
            else if (token.Kind == HtmlTokenKind.StartTag && !token.SelfClosing && RoleOf(token) is { } role)
            {
                block = new Block(role, token.Name);
            }
        }

        if (block is not null && block.Role != Role.Marker)
        {
            row.Add(block);
        }

        EndRow(output, row, ref moveMarkerInRow);
        return output.ToDiffText();
    }

    /// <summary>The names of wikidiff2's moved-paragraph anchors (<c>&lt;a name="movedpara_2_2_lhs"&gt;</c>).</summary>
    private static HashSet<string> MoveAnchors(string html)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (!html.Contains("movedpara", StringComparison.Ordinal))
        {
            return names;
        }

        foreach (var token in HtmlTokenizer.Tokenize(html))
        {
            if (token.Kind == HtmlTokenKind.StartTag && token.Name == "a" && token.Attribute("name") is { Length: > 0 } name)
            {
                names.Add(name);
            }
        }

        return names;
    }

    private static Role? RoleOf(HtmlToken tag)
    {
        if (tag.Name is "td" or "th")
        {
            var classes = tag.Class;
            return HasClass(classes, "diff-addedline") ? Role.Added
                : HasClass(classes, "diff-deletedline") ? Role.Removed
                : HasClass(classes, "diff-context") ? Role.Context
                : HasClass(classes, "diff-lineno") ? Role.LineNumber
                : HasClass(classes, "diff-marker") ? Role.Marker
                : null; // diff-empty, or a class-less cell (old spacer; unified diffs are read from their <pre>)
        }

        if (tag.Name == "div")
        {
            var classes = tag.Class;
            return HasClass(classes, "mw-diff-inline-added") ? Role.Added
                : HasClass(classes, "mw-diff-inline-deleted") ? Role.Removed
                : HasClass(classes, "mw-diff-inline-context") ? Role.Context
                : HasClass(classes, "mw-diff-inline-moved") ? Role.Moved
                : HasClass(classes, "mw-diff-inline-changed") ? Role.Changed
                : null;
        }

        return tag.Name == "pre" ? Role.Unified : null;
    }

    private static void EndRow(Output output, List<Block> row, ref string? moveMarkerInRow)
    {
        var moveTarget = moveMarkerInRow;
        var moved = moveTarget is not null;
        moveMarkerInRow = null;
        string? contextLine = null;
        foreach (var block in row)
        {
            var role = moved && block.Role is Role.Added or Role.Removed ? Role.Moved : block.Role;
            switch (role)
            {
                case Role.Added:
                    Output.Add(output.Added, block.NewSide);
                    output.AddFragments(block, inserted: true);
                    break;
                case Role.Removed:
                    Output.Add(output.Removed, block.OldSide);
                    output.AddFragments(block, inserted: false);
                    break;
                case Role.Changed:
                    Output.Add(output.Removed, block.OldSide);
                    Output.Add(output.Added, block.NewSide);
                    output.AddFragments(block, inserted: false);
                    output.AddFragments(block, inserted: true);
                    break;
                case Role.Moved:
                    // Moved text is not new: the paragraph goes to context once (its new side), its inline edits stay changes.
                    if (block.Role == Role.Removed)
                    {
                        output.AddMoved(oldSide: true, block.OldSide, block.Anchor, moveTarget);
                    }
                    else
                    {
                        output.AddMoved(oldSide: false, block.NewSide, block.Anchor, moveTarget);
                        if (!output.Context.Contains(Clean(block.NewSide)))
                        {
                            Output.Add(output.Context, block.NewSide);
                        }
                    }

                    output.AddFragments(block, inserted: false);
                    output.AddFragments(block, inserted: true);
                    break;
                case Role.Context:
                    // Both sides of a context row hold the same text: keep it once.
                    contextLine = block.NewSide;
                    Output.Add(output.ContextRows, block.NewSide);
                    break;
                case Role.LineNumber:
                    // Wikibase puts the property path here ("Property / instance of"); text diffs a line number ("Line 52:").
                    var header = Clean(block.NewSide);
                    if (header.Length > 0 && !LineNumberHeader().IsMatch(header) && !output.Context.Contains(header))
                    {
                        output.Context.Add(header);
                    }

                    break;
                case Role.Unified:
                    AddUnified(output, block.NewSide);
                    break;
            }
        }

        if (contextLine is not null)
        {
            Output.Add(output.Context, contextLine);
        }

        row.Clear();
    }

    private static void AddUnified(Output output, string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith("@@", StringComparison.Ordinal))
            {
                continue;
            }

            var target = line[0] switch
            {
                '+' => output.Added,
                '-' => output.Removed,
                ' ' => output.Context,
                _ => null,
            };
            if (target is not null)
            {
                Output.Add(target, line[1..]);
            }
        }
    }

    private static bool HasClass(string classes, string name)
    {
        foreach (var part in classes.Split(' ', '\t', '\n', '\r', '\f'))
        {
            if (part.Equals(name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    // Trim drops the no-break space old wikidiff2 puts in empty cells (&#160;); one inside a line is the editor's
    // text ("10&nbsp;km") and stays, as it does in a page creation's content.
    private static string Clean(string text) => text.Trim();

    // "Line 52:", "Zeile 10:", "Ligne 3 :", "行 12:", and wikidiff2's bare "<!--LINE n-->" (already empty).
    [GeneratedRegex(@"\A[^\d]{0,24}\d[\d.,\s]*\W{0,2}\z")]
    private static partial Regex LineNumberHeader();

    private sealed class Output
    {
        public List<string> Added { get; } = [];
        public List<string> Removed { get; } = [];
        public List<string> Context { get; } = [];

        /// <summary>Old and new sides of rows marked as moved: text, the row's own anchor, the anchor it links to.</summary>
        public List<(string Text, string? Anchor, string? Partner)> MovedOld { get; } = [];
        public List<(string Text, string? Anchor, string? Partner)> MovedNew { get; } = [];

        /// <summary>Unchanged rows shown (both sides).</summary>
        public List<string> ContextRows { get; } = [];

        public void AddMoved(bool oldSide, string text, string? anchor, string? partner)
        {
            var line = Clean(text);
            if (line.Length > 0)
            {
                (oldSide ? MovedOld : MovedNew).Add((line, anchor, string.IsNullOrEmpty(partner) ? null : partner));
            }
        }

        // Each inline fragment with the whole line it is part of, so that a line found to be moved takes its fragments along.
        private readonly List<(string Text, string Line)> _inserted = [];
        private readonly List<(string Text, string Line)> _deleted = [];

        public static void Add(List<string> target, string text)
        {
            var line = Clean(text);
            if (line.Length > 0)
            {
                target.Add(line);
            }
        }

        public void AddFragments(Block block, bool inserted)
        {
            var fragments = inserted ? block.Inserted : block.Deleted;
            var whole = Clean(inserted ? block.NewSide : block.OldSide);
            foreach (var fragment in fragments)
            {
                var text = Clean(fragment);
                // A line that is one insertion from end to end (Wikibase values, wikidiff2 splits) is already an added line.
                if (text.Length > 0 && text != whole)
                {
                    (inserted ? _inserted : _deleted).Add((text, whole));
                }
            }
        }

        /// <summary>
        /// A line shown as added that the diff also shows, word for word, on the old side (as removed, or as the old side
        /// of a move) was moved, not written: found by the real-diff property test when two paragraphs swapped places
        /// and wikidiff2 paired each with the other (a changed row and a moved pair, with inline changes that were not
        /// made). Such a line goes to context and its inline fragments are dropped; the same for a removed line shown
        /// word for word on the new side. What is left is what the text really gained and lost.
        /// </summary>
        public DiffText ToDiffText()
        {
            var anchors = MovedOld.Concat(MovedNew).Where(m => m.Anchor is not null).GroupBy(m => m.Anchor!, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First().Text, StringComparer.Ordinal);
            // A move to the very same words is a plain move, accounted for by its pair; only the sides of moves that
            // changed (or were paired wrongly) may stand for a line shown added or removed elsewhere.
            bool PlainMove((string Text, string? Anchor, string? Partner) m) =>
                m.Partner is not null && anchors.TryGetValue(m.Partner, out var other) && other == m.Text;
            var oldPool = Count(Removed.Concat(MovedOld.Where(m => !PlainMove(m)).Select(m => m.Text)));
            var newPool = Count(Added.Concat(MovedNew.Where(m => !PlainMove(m)).Select(m => m.Text)));
            // Lines the diff shows standing on each side unchanged or written there (not as the side of a move).
            var shownNew = new HashSet<string>(Added.Concat(ContextRows), StringComparer.Ordinal);
            var shownOld = new HashSet<string>(Removed.Concat(ContextRows), StringComparer.Ordinal);
            var oldLines = new HashSet<string>(Removed.Concat(MovedOld.Select(m => m.Text)), StringComparer.Ordinal);
            var newLines = new HashSet<string>(Added.Concat(MovedNew.Select(m => m.Text)), StringComparer.Ordinal);
            var movedNew = new HashSet<string>(StringComparer.Ordinal);
            var movedOld = new HashSet<string>(StringComparer.Ordinal);
            var newText = new HashSet<string>(StringComparer.Ordinal);
            var goneText = new HashSet<string>(StringComparer.Ordinal);

            // A move whose other side still stands on that side (shown as context, or written there too) is no move:
            // wikidiff2 paired two similar lines. Its line is then new (or gone) text, unless the same words stand on
            // the other side, which makes it a plain move.
            foreach (var (text, _, partner) in MovedNew)
            {
                if (partner is not null && anchors.TryGetValue(partner, out var from) && shownNew.Contains(from) && !oldLines.Contains(text))
                {
                    newText.Add(text);
                }
            }

            foreach (var (text, _, partner) in MovedOld)
            {
                if (partner is not null && anchors.TryGetValue(partner, out var to) && shownOld.Contains(to) && !newLines.Contains(text))
                {
                    goneText.Add(text);
                }
            }

            var added = new List<string>(Added.Count);
            foreach (var line in Added)
            {
                if (Take(oldPool, line))
                {
                    movedNew.Add(line);
                    if (!Context.Contains(line))
                    {
                        Context.Add(line);
                    }
                }
                else
                {
                    added.Add(line);
                }
            }

            var removed = new List<string>(Removed.Count);
            foreach (var line in Removed)
            {
                if (Take(newPool, line))
                {
                    movedOld.Add(line);
                }
                else
                {
                    removed.Add(line);
                }
            }

            // Moves found to be new or gone text are reported as such, their inline fragments (against a line that
            // was not their origin) dropped, as for any added or removed line.
            foreach (var line in MovedNew.Select(m => m.Text).Where(newText.Contains))
            {
                Context.Remove(line);
                added.Add(line);
            }

            removed.AddRange(MovedOld.Select(m => m.Text).Where(goneText.Contains));
            movedNew.UnionWith(newText);
            movedOld.UnionWith(goneText);

            // A moved line's own inline changes are real unless its text stands unchanged on the other side too.
            movedNew.UnionWith(MovedNew.Select(m => m.Text).Where(oldLines.Contains));
            movedOld.UnionWith(MovedOld.Select(m => m.Text).Where(newLines.Contains));
            return new DiffText(added, removed, Context)
            {
                Inserted = [.. _inserted.Where(f => !movedNew.Contains(f.Line)).Select(f => f.Text)],
                Deleted = [.. _deleted.Where(f => !movedOld.Contains(f.Line)).Select(f => f.Text)],
            };
        }

        private static Dictionary<string, int> Count(IEnumerable<string> lines)
        {
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var line in lines)
            {
                counts[line] = counts.GetValueOrDefault(line) + 1;
            }

            return counts;
        }

        private static bool Take(Dictionary<string, int> pool, string line)
        {
            if (pool.GetValueOrDefault(line) <= 0)
            {
                return false;
            }

            pool[line]--;
            return true;
        }
    }

    /// <summary>
    /// One cell or inline line being read: its text as the new side sees it (without <c>&lt;del&gt;</c> content) and as
    /// the old side sees it (without <c>&lt;ins&gt;</c> content), and its inline fragments. Nested tables (Wikibase
    /// values) are read as part of the cell; block elements and <c>&lt;br&gt;</c> become spaces.
    /// </summary>
    private sealed class Block(Role role, string tagName)
    {
        private readonly StringBuilder _new = new();
        private readonly StringBuilder _old = new();
        private readonly StringBuilder _fragment = new();
        private readonly List<string> _inserted = [];
        private readonly List<string> _deleted = [];
        private int _depth; // open elements named like the block's own tag, inside it
        private int _tables; // nested <table> inside the block
        private int _ins;
        private int _del;
        private int _skip; // inside an element whose text is not content (move-marker links, script, style)

        public Role Role => role;

        public bool IsCell => tagName is "td" or "th";

        /// <summary>
        /// The anchor a move marker links to (<c>href="#movedpara_2_2_lhs"</c> without the #); empty for a marker
        /// without a link target; null when the block has no move marker.
        /// </summary>
        public string? MoveTarget { get; private set; }

        /// <summary>The block's own anchor (<c>&lt;a name="movedpara_3_0_rhs"&gt;</c>), for pairing the two sides of a move.</summary>
        public string? Anchor { get; private set; }

        public string NewSide => _new.ToString();

        public string OldSide => _old.ToString();

        public IReadOnlyList<string> Inserted => _inserted;

        public IReadOnlyList<string> Deleted => _deleted;

        /// <summary>Reads one token; true when the block has ended (its own end tag, or a row or cell boundary).</summary>
        public bool Consume(HtmlToken token)
        {
            switch (token.Kind)
            {
                case HtmlTokenKind.Text:
                    if (_skip == 0)
                    {
                        AppendText(WebUtility.HtmlDecode(token.Raw.ToString()));
                    }

                    return false;
                case HtmlTokenKind.StartTag:
                    return Start(token);
                default:
                    return End(token);
            }
        }

        private bool Start(HtmlToken token)
        {
            var name = token.Name;
            if (_tables == 0 && tagName is "td" or "th" && name is "td" or "th" or "tr")
            {
                return true; // an unclosed cell ends where the next cell or row starts
            }

            if (name == "table")
            {
                _tables++;
            }
            else if (name == tagName && !token.SelfClosing)
            {
                _depth++;
            }

            switch (name)
            {
                case "a" when token.Attribute("name") is { Length: > 0 } anchorName && Anchor is null:
                    Anchor = anchorName;
                    break;
                case "a" when token.Class.Contains("mw-diff-movedpara", StringComparison.Ordinal):
                    MoveTarget = token.Attribute("href").TrimStart('#');
                    _skip += token.SelfClosing ? 0 : 1;
                    break;
                case "script" or "style" when !token.SelfClosing:
                    _skip++;
                    break;
                case "ins" when !token.SelfClosing:
                    CloseFragment();
                    _ins++;
                    break;
                case "del" when !token.SelfClosing:
                    CloseFragment();
                    _del++;
                    break;
                default:
                    if (IsBreak(name))
                    {
                        Separate();
                    }

                    break;
            }

            return false;
        }

        private bool End(HtmlToken token)
        {
            var name = token.Name;
            if (name == "table" && _tables > 0)
            {
                _tables--;
                if (_tables == 0)
                {
                    _depth = 0; // nested tables often leave cells unclosed; the block's own end tag comes next
                }

                Separate();
                return false;
            }

            if (_tables == 0 && (name == tagName && _depth == 0 || tagName is "td" or "th" && name is "tr" or "table"))
            {
                CloseFragment();
                return true;
            }

            if (name == tagName && _depth > 0)
            {
                _depth--;
            }

            switch (name)
            {
                case "a" or "script" or "style" when _skip > 0:
                    _skip--;
                    break;
                case "ins" when _ins > 0:
                    CloseFragment();
                    _ins--;
                    break;
                case "del" when _del > 0:
                    CloseFragment();
                    _del--;
                    break;
                default:
                    if (IsBreak(name))
                    {
                        Separate();
                    }

                    break;
            }

            return false;
        }

        private void AppendText(string text)
        {
            if (_del == 0)
            {
                _new.Append(text);
            }

            if (_ins == 0)
            {
                _old.Append(text);
            }

            if (_ins > 0 || _del > 0)
            {
                _fragment.Append(text);
            }
        }

        private void CloseFragment()
        {
            if (_fragment.Length == 0)
            {
                return;
            }

            // Nested <ins><del> is not produced by MediaWiki; an insertion wins so nothing is counted twice.
            (_ins > 0 ? _inserted : _deleted).Add(_fragment.ToString());
            _fragment.Clear();
        }

        private void Separate()
        {
            SeparateIn(_new);
            SeparateIn(_old);
            if (_fragment.Length > 0)
            {
                SeparateIn(_fragment);
            }
        }

        private static void SeparateIn(StringBuilder builder)
        {
            if (builder.Length > 0 && !char.IsWhiteSpace(builder[^1]))
            {
                builder.Append(' ');
            }
        }

        private static bool IsBreak(string name) =>
            name is "br" or "div" or "p" or "tr" or "td" or "th" or "li" or "ul" or "ol" or "dd" or "dt" or "dl" or "hr" or "table";
    }
}
