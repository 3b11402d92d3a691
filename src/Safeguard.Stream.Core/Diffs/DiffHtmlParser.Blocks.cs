using System.Net;
using System.Text;

namespace Safeguard.Stream.Core.Diffs;

/// <summary>The parser's working parts: the lines it collects and the cells (blocks) it reads them from.</summary>
public static partial class DiffHtmlParser
{
    private sealed class Output
    {
        public List<string> Added { get; } = [];
        public List<string> Removed { get; } = [];
        public List<string> Context { get; } = [];
        public List<string> Inserted { get; } = [];
        public List<string> Deleted { get; } = [];

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
                    (inserted ? Inserted : Deleted).Add(text);
                }
            }
        }

        public DiffText ToDiffText() => new(Added, Removed, Context) { Inserted = Inserted, Deleted = Deleted };
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

        public bool SawMoveMarker { get; private set; }

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
                case "a" when token.Class.Contains("mw-diff-movedpara", StringComparison.Ordinal):
                    SawMoveMarker = true;
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
