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
/// changes kept. Added and removed lines come in the order of their side's text. Line-number headers and diff-cache
/// comments are ignored. Never throws on malformed input, and every line it returns is text of the input.
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

    /// <summary>The classes that give a table cell its role; a cell with none (diff-empty, an old spacer) has none.</summary>
    private static readonly (string Class, Role Role)[] s_cellRoles =
    [
        ("diff-addedline", Role.Added), ("diff-deletedline", Role.Removed), ("diff-context", Role.Context),
        ("diff-lineno", Role.LineNumber), ("diff-marker", Role.Marker),
    ];

    /// <summary>The classes that give an inline diff's line its role.</summary>
    private static readonly (string Class, Role Role)[] s_inlineRoles =
    [
        ("mw-diff-inline-added", Role.Added), ("mw-diff-inline-deleted", Role.Removed), ("mw-diff-inline-context", Role.Context),
        ("mw-diff-inline-moved", Role.Moved), ("mw-diff-inline-changed", Role.Changed),
    ];

    private static Role? RoleOf(HtmlToken tag) => tag.Name switch
    {
        "td" or "th" => RoleByClass(tag.Class, s_cellRoles), // unified diffs are read from their <pre>
        "div" => RoleByClass(tag.Class, s_inlineRoles),
        "pre" => Role.Unified,
        _ => null,
    };

    private static Role? RoleByClass(string classes, (string Class, Role Role)[] roles)
    {
        foreach (var (name, role) in roles)
        {
            if (HasClass(classes, name))
            {
                return role;
            }
        }

        return null;
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
}
