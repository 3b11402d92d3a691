using System.Net;

namespace Safeguard.Stream.Core.Diffs;

/// <summary>The parser's working parts: the lines it collects and the cells (blocks) it reads them from.</summary>
public static partial class DiffHtmlParser
{
    private sealed class Output
    {
        public List<string> Added { get; } = [];
        public List<string> Removed { get; } = [];
        public List<string> Context { get; } = [];

        /// <summary>
        /// One side of a row marked as moved: its text, the row's own anchor, the anchor it links to, and where it stands
        /// among the removed (old side) or added (new side) lines, so a move found to be gone or new text keeps its place.
        /// </summary>
        public readonly record struct Move(string Text, string? Anchor, string? Partner, int At);

        public List<Move> MovedOld { get; } = [];
        public List<Move> MovedNew { get; } = [];

        /// <summary>Unchanged rows shown (both sides).</summary>
        public List<string> ContextRows { get; } = [];

        public void AddMoved(bool oldSide, string text, string? anchor, string? partner)
        {
            var line = Clean(text);
            if (line.Length > 0)
            {
                (oldSide ? MovedOld : MovedNew).Add(new(line, anchor, string.IsNullOrEmpty(partner) ? null : partner, (oldSide ? Removed : Added).Count));
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
            bool PlainMove(Move m) =>
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
            var newText = NotMoved(MovedNew, anchors, shownNew, oldLines);
            var goneText = NotMoved(MovedOld, anchors, shownOld, newLines);
            var added = Written(Added, MovedNew, newText, oldPool, line =>
            {
                movedNew.Add(line);
                if (!Context.Contains(line))
                {
                    Context.Add(line);
                }
            });
            var removed = Written(Removed, MovedOld, goneText, newPool, line => movedOld.Add(line));
            foreach (var (line, _, _, _) in MovedNew.Where(m => newText.Contains(m.Text)))
            {
                Context.Remove(line);
            }

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

        /// <summary>
        /// A move whose other side still stands on this side (shown as context, or written here too) is no move:
        /// wikidiff2 paired two similar lines. Its line is then new (or gone) text, unless the same words stand on the
        /// other side (<paramref name="otherLines"/>), which makes it a plain move. The same rule for both sides.
        /// </summary>
        private static HashSet<string> NotMoved(
            List<Move> moves, Dictionary<string, string> anchors, HashSet<string> shownHere, HashSet<string> otherLines)
        {
            var found = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (text, _, partner, _) in moves)
            {
                if (partner is not null && anchors.TryGetValue(partner, out var counterpart) && shownHere.Contains(counterpart) && !otherLines.Contains(text))
                {
                    found.Add(text);
                }
            }

            return found;
        }

        /// <summary>
        /// What one side really wrote (added) or lost (removed), in document order. A line whose words the other side
        /// also holds (<paramref name="otherPool"/>) was moved, not written: it goes to <paramref name="moved"/>. Moves
        /// found to be new or gone text (<paramref name="notMoved"/>) are reported as such, in document order among the
        /// other lines of their side (found by the property test: appended at the end, a new first line came out last),
        /// their inline fragments (against a line that was not their origin) dropped, as for any added or removed line.
        /// </summary>
        private static List<string> Written(
            List<string> lines, List<Move> moves, HashSet<string> notMoved, Dictionary<string, int> otherPool, Action<string> moved)
        {
            var written = new List<string>(lines.Count);
            for (var i = 0; i < lines.Count; i++)
            {
                InsertMovesAt(i, moves, notMoved, written);
                if (Take(otherPool, lines[i]))
                {
                    moved(lines[i]);
                }
                else
                {
                    written.Add(lines[i]);
                }
            }

            InsertMovesAt(lines.Count, moves, notMoved, written);
            return written;
        }

        private static void InsertMovesAt(int at, List<Move> moves, HashSet<string> found, List<string> into) =>
            into.AddRange(moves.Where(m => m.At == at && found.Contains(m.Text)).Select(m => m.Text));

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
                default:
                    Mark(name, token.SelfClosing ? 0 : 1);
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
                default:
                    Mark(name, -1);
                    break;
            }

            return false;
        }

        /// <summary>
        /// An <c>ins</c>/<c>del</c> tag opens (<paramref name="step"/> 1) or closes (-1) a changed fragment; 0 is a
        /// self-closing one, which changes nothing. Any other tag that breaks a line separates the text.
        /// </summary>
        private void Mark(string name, int step)
        {
            if (name is "ins" or "del")
            {
                ref var open = ref name == "ins" ? ref _ins : ref _del;
                if (step > 0 || (step < 0 && open > 0))
                {
                    CloseFragment();
                    open += step;
                }
            }
            else if (IsBreak(name))
            {
                Separate();
            }
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
