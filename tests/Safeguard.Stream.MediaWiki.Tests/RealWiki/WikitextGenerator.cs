using System.Globalization;
using System.Text;

namespace Safeguard.Stream.MediaWiki.Tests.RealWiki;

/// <summary>Kinds of change the property test makes; an edit applies one or more.</summary>
public enum EditOp
{
    Create,
    InsertLines,
    DeleteLines,
    ChangeWords,
    MoveParagraph,
    LongLine,
    TemplateOrRef,
    EditFromOldRevision,
}

/// <summary>A word-level change the generator made to one line: the line before and after.</summary>
public sealed record LinePair(string Before, string After);

/// <summary>
/// Seeded random wikitext and edits to it. Lines mix Latin words, templates, <c>&lt;ref&gt;</c>s, HTML-looking
/// text and entities (to catch double decoding), combining characters, right-to-left (Hebrew, Arabic) and CJK text,
/// no-break spaces, and now and then a very long line. Most lines carry a token of their own (<c>w123</c>), as most
/// prose lines of an article differ; a few are repeated on purpose (<c>}}</c>, <c>----</c>, a heading), because the
/// oracle must hold for repeated lines too.
/// </summary>
public sealed class WikitextGenerator(int seed)
{
    private static readonly string[] s_latin =
    [
        "river", "castle", "history", "founded", "village", "temple", "north", "station", "railway", "council", "bridge",
        "museum", "harbour", "valley", "province", "church", "market", "forest", "school", "tower", "garden", "island",
    ];

    private static readonly string[] s_scripts =
    [
        "東京都", "漢字", "北京市", "東京", "ひらがな", "カタカナ", "한국어", // CJK, no spaces between words in real text
        "שלום", "ירושלים", "مرحبا", "القاهرة", "עברית", // right-to-left
        "q\u0307ua", "x\u0323y", "w\u0330ave", "n\u0303o", "e\u0301te", "नमस्ते", "क्षत्रिय", // combining marks (NFC-stable and not)
        "10\u00a0km", "«\u00a0quote\u00a0»", // no-break spaces inside a line
        "&amp;", "&lt;b&gt;", "<b>bold</b>", "a&b", "<span>x</span>", "'''strong'''", "[[Link|label]]", "x < y > z", // markup and entity look-alikes
    ];

    private static readonly string[] s_repeated = ["}}", "----", "== See also ==", "|}"];

    private readonly Random _random = new(seed);
    private int _token;

    public int Seed { get; } = seed;

    public string Token() => "w" + (++_token).ToString(CultureInfo.InvariantCulture);

    public string Word()
    {
        var roll = _random.Next(100);
        return roll < 70 ? s_latin[_random.Next(s_latin.Length)]
            : s_scripts[_random.Next(s_scripts.Length)];
    }

    /// <summary>A prose line of 6 to 16 words with a token of its own; sometimes CJK without spaces.</summary>
    public string ProseLine()
    {
        var words = Enumerable.Range(0, _random.Next(6, 17)).Select(_ => Word()).ToList();
        words.Insert(_random.Next(words.Count + 1), Token());
        if (_random.Next(10) == 0)
        {
            return string.Concat(words.Select(w => w + "。"));
        }

        return string.Join(' ', words) + (_random.Next(3) == 0 ? "." : "");
    }

    public string TemplateLine() => _random.Next(3) switch
    {
        0 => $"{{{{Infobox settlement | name = {Word()} {Token()} | population = {_random.Next(100, 99999)} }}}}",
        1 => $"{ProseLine()}<ref>{{{{cite web |url=https://example.org/{Token()} |title={Word()} {Word()} }}}}</ref>",
        _ => $"{ProseLine()}<ref name=\"{Token()}\" />",
    };

    /// <summary>A line of 2,000 to 6,000 characters.</summary>
    public string LongLine()
    {
        var builder = new StringBuilder();
        var target = _random.Next(2_000, 6_000);
        while (builder.Length < target)
        {
            builder.Append(ProseLine()).Append(' ');
        }

        return builder.ToString().TrimEnd();
    }

    public string AnyLine()
    {
        var roll = _random.Next(100);
        return roll < 70 ? ProseLine()
            : roll < 85 ? TemplateLine()
            : roll < 93 ? s_repeated[_random.Next(s_repeated.Length)]
            : roll < 97 ? ""
            : LongLine();
    }

    public List<string> NewPage() => [.. Enumerable.Range(0, _random.Next(4, 14)).Select(_ => AnyLine())];

    public int Next(int max) => _random.Next(max);

    /// <summary>
    /// Applies 1 to 3 operations to <paramref name="lines"/> (in place). Returns the operations and, for word changes,
    /// the lines before and after.
    /// </summary>
    public (List<EditOp> Ops, List<LinePair> Pairs) Mutate(List<string> lines, bool singleWordChangeEdit)
    {
        var ops = new List<EditOp>();
        var pairs = new List<LinePair>();
        var count = singleWordChangeEdit ? 1 : _random.Next(1, 4);
        for (var i = 0; i < count; i++)
        {
            var op = singleWordChangeEdit ? EditOp.ChangeWords : (EditOp)_random.Next((int)EditOp.InsertLines, (int)EditOp.TemplateOrRef + 1);
            if (!Apply(op, lines, pairs))
            {
                Apply(EditOp.InsertLines, lines, pairs);
                op = EditOp.InsertLines;
            }

            ops.Add(op);
        }

        return (ops, pairs);
    }

    private bool Apply(EditOp op, List<string> lines, List<LinePair> pairs)
    {
        switch (op)
        {
            case EditOp.InsertLines:
                var at = _random.Next(lines.Count + 1);
                lines.InsertRange(at, Enumerable.Range(0, _random.Next(1, 4)).Select(_ => AnyLine()));
                return true;
            case EditOp.DeleteLines when lines.Count > 2:
                var from = _random.Next(lines.Count);
                lines.RemoveRange(from, Math.Min(_random.Next(1, 3), lines.Count - from));
                return true;
            case EditOp.ChangeWords:
                var prose = Enumerable.Range(0, lines.Count).Where(i => lines[i].Split(' ').Length >= 6).ToList();
                if (prose.Count == 0)
                {
                    return false;
                }

                var index = prose[_random.Next(prose.Count)];
                var before = lines[index];
                var words = before.Split(' ').ToList();
                var changes = _random.Next(1, 3);
                for (var c = 0; c < changes; c++)
                {
                    var w = _random.Next(words.Count);
                    switch (_random.Next(3))
                    {
                        case 0:
                            words[w] = Word() + Token();
                            break;
                        case 1:
                            words.Insert(w, Word());
                            break;
                        default:
                            if (words.Count > 4)
                            {
                                words.RemoveAt(w);
                            }
                            else
                            {
                                words[w] = Token();
                            }

                            break;
                    }
                }

                lines[index] = string.Join(' ', words);
                pairs.Add(new LinePair(before, lines[index]));
                return true;
            case EditOp.MoveParagraph when lines.Count >= 5:
                var source = _random.Next(lines.Count);
                var moved = lines[source];
                lines.RemoveAt(source);
                var target = (source + 2 + _random.Next(lines.Count - 2)) % (lines.Count + 1);
                lines.Insert(target, moved);
                return true;
            case EditOp.LongLine:
                lines.Insert(_random.Next(lines.Count + 1), LongLine());
                return true;
            case EditOp.TemplateOrRef:
                lines.Insert(_random.Next(lines.Count + 1), TemplateLine());
                return true;
            default:
                return false;
        }
    }
}
