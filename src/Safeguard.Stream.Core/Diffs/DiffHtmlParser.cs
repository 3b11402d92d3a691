using System.Net;
using System.Text.RegularExpressions;

namespace Safeguard.Stream.Core.Diffs;

/// <summary>
/// Reads the table-format diff HTML that <c>action=compare</c> returns (wikidiff2 and the PHP differ):
/// rows of <c>diff-addedline</c>, <c>diff-deletedline</c> and <c>diff-context</c> cells. Markup is stripped and
/// HTML entities decoded; line-number header rows are ignored. A context row has the same text on both sides,
/// so only its right-hand cell is kept.
/// </summary>
public static partial class DiffHtmlParser
{
    public static DiffText Parse(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        var added = new List<string>();
        var removed = new List<string>();
        var context = new List<string>();

        foreach (Match row in RowPattern().Matches(html))
        {
            string? rowContext = null;
            foreach (Match cell in CellPattern().Matches(row.Groups["row"].Value))
            {
                var classes = cell.Groups["class"].Value;
                var text = CellText(cell.Groups["body"].Value);
                if (classes.Contains("diff-addedline", StringComparison.Ordinal) || classes.Contains("diff-side-added", StringComparison.Ordinal))
                {
                    AddLine(added, text);
                }
                else if (classes.Contains("diff-deletedline", StringComparison.Ordinal) || classes.Contains("diff-side-deleted", StringComparison.Ordinal))
                {
                    AddLine(removed, text);
                }
                else if (classes.Contains("diff-context", StringComparison.Ordinal))
                {
                    rowContext = text;
                }
            }

            if (rowContext is not null)
            {
                AddLine(context, rowContext);
            }
        }

        return new DiffText(added, removed, context);
    }

    private static void AddLine(List<string> lines, string text)
    {
        if (text.Length > 0)
        {
            lines.Add(text);
        }
    }

    private static string CellText(string body)
    {
        var withoutTags = TagPattern().Replace(body, string.Empty);
        return WebUtility.HtmlDecode(withoutTags).Replace('\u00a0', ' ').Trim();
    }

    [GeneratedRegex(@"<tr\b[^>]*>(?<row>.*?)</tr>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex RowPattern();

    [GeneratedRegex(@"<td\b[^>]*\bclass=""(?<class>[^""]*)""[^>]*>(?<body>.*?)</td>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex CellPattern();

    [GeneratedRegex(@"<[^>]+>", RegexOptions.Singleline)]
    private static partial Regex TagPattern();
}
