using System.Net;
using System.Text;
using System.Text.Json;
using CsCheck;
using Safeguard.Stream.Core.Diffs;

namespace Safeguard.Stream.Core.Tests.Diffs;

public sealed class DiffHtmlParserTests
{
    private static string CompareBody(string relative) =>
        TestData.ApiBody(relative).GetProperty("compare").GetProperty("*").GetString()!;

    /// <summary>The four bodies of MediaWiki core's TextDifferData (old "foo", new "bar"), by section name.</summary>
    private static Dictionary<string, string> TextDifferSections()
    {
        var text = TestData.Read("wikimedia/diff-html/mediawiki-core.TextDifferData.expected-outputs.txt");
        var sections = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var section in text.Split("\n## ").Skip(1))
        {
            var newline = section.IndexOf('\n', StringComparison.Ordinal);
            sections[section[..section.IndexOf(' ', StringComparison.Ordinal)]] = section[(newline + 1)..];
        }

        return sections;
    }

    [Fact]
    public void Parse_RecordedCategoryChange_SplitsAddedRemovedInlineAndContext()
    {
        var diff = DiffHtmlParser.Parse(CompareBody("wikimedia/api/enwiki.compare.fromrev-920429244.torelative-prev.recorded.json"));

        Assert.Equal(["[[Category:1490s establishments in Japan]]"], diff.Added);
        Assert.Equal(["[[Category:15th-century establishments in Japan]]"], diff.Removed);
        Assert.Equal(["1490s"], diff.Inserted);
        Assert.Equal(["15th-century"], diff.Deleted);
        Assert.Equal(
            ["[[Category:Forts in Japan]]", "[[Category:Osaka Castle]]", "[[Category:15th-century fortifications]]", "[[Category:Rennyo]]"],
            diff.Context);
    }

    [Fact]
    public void Parse_RealWikidiff2NoBreakSpaceInsideALine_KeepsItAsTheEditorWroteIt()
    {
        // Found by the real-diff property test: "10\u00a0km" came back as "10 km", so the reported line was not a
        // line of the page (and differed from what a page creation reports for the same text).
        var body = TestData.ApiBody("mediawiki-1.39-local/compare-nbsp-inline.json").GetProperty("compare").GetProperty("body").GetString()!;

        var diff = DiffHtmlParser.Parse(body);

        Assert.Equal(["The summit is 12\u00a0km north of the old bridge."], diff.Added);
        Assert.Equal(["The summit is 10\u00a0km north of the old bridge."], diff.Removed);
        Assert.Equal(["12"], diff.Inserted);
        Assert.Equal(["10"], diff.Deleted);
        Assert.Equal(["Second line."], diff.Context);
    }

    [Fact]
    public void Parse_RealWikidiff2MoveWithoutItsOtherSide_IsAnAddedLine()
    {
        // Found by the real-diff property test: the new "railway w166" infobox line carries a move marker whose
        // target anchor is not in the diff (its partner shows as a plain deletion), so it went to context and the
        // added line was lost. The real move in the same diff (valley w156, changed) stays context.
        var body = TestData.ApiBody("mediawiki-1.39-local/compare-one-sided-move.json").GetProperty("compare").GetProperty("body").GetString()!;

        var diff = DiffHtmlParser.Parse(body);

        Assert.Contains("{{Infobox settlement | name = railway w166 | population = 36168 }}", diff.Added);
        Assert.DoesNotContain("{{Infobox settlement | name = railway w166 | population = 36168 }}", diff.Context);
        Assert.Contains("{{Infobox settlement | name = station w984 | population = 52656 }}", diff.Removed);
        Assert.Contains("{{Infobox settlement | name = valley w156 | population = 30356 }}", diff.Context);
        Assert.DoesNotContain("{{Infobox settlement | name = valley w156 | population = 30356 }}", diff.Added);
        Assert.DoesNotContain("{{Infobox settlement name = valley w156 | population = 30356 }}", diff.Removed);
    }

    [Fact]
    public void Parse_RealWikidiff2SwappedParagraphs_ReportsNeitherAsAddedOrRemoved()
    {
        // Found by the real-diff property test: two unchanged infobox lines swapped places. wikidiff2 showed "w17" old
        // against "w456" new as a changed line, and "w456" old against "w17" new as a moved pair, so "w456" was
        // reported as added text and its words as inserted, though nobody wrote them.
        var body = TestData.ApiBody("mediawiki-1.39-local/compare-swapped-paragraphs.json").GetProperty("compare").GetProperty("body").GetString()!;

        var diff = DiffHtmlParser.Parse(body);

        const string w456 = "{{Infobox settlement | name = tower w456 | population = 26242 }}";
        const string w17 = "{{Infobox settlement | name founded = forest w17 | population = 23717 }}";
        Assert.DoesNotContain(w456, diff.Added);
        Assert.DoesNotContain(w17, diff.Removed);
        Assert.Contains(w456, diff.Context);
        Assert.Contains(w17, diff.Context);
        Assert.DoesNotContain(diff.Inserted, f => f.Contains("w456", StringComparison.Ordinal) || f.Contains("w17", StringComparison.Ordinal));
        Assert.DoesNotContain(diff.Deleted, f => f.Contains("w456", StringComparison.Ordinal) || f.Contains("w17", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_RealWikidiff2MoveFromALineThatStillStands_IsAnAddedLine()
    {
        // Found by the real-diff property test: "castle w454" is new text, but wikidiff2 showed it as moved from the
        // "w85" infobox line, which is still on the new side (as the new half of a changed row). It went to context.
        var body = TestData.ApiBody("mediawiki-1.39-local/compare-crossed-moves.json").GetProperty("compare").GetProperty("body").GetString()!;

        var diff = DiffHtmlParser.Parse(body);

        Assert.Contains("{{Infobox settlement | name = castle w454 | population = 87903 }}", diff.Added);
        Assert.DoesNotContain("{{Infobox settlement | name = castle w454 | population = 87903 }}", diff.Context);
        Assert.DoesNotContain("{{Infobox settlement | name = <span>x</span> w85 | population = 85651 }}", diff.Added);
        Assert.Contains("{{Infobox valleyw823 | name = historyw822 w454 | population = 87903 }}", diff.Removed);
        // The real move, changed on the way, stays context with its inline change.
        Assert.Contains("council north river market forest church river north history tower w86 council station river island.", diff.Context);
        Assert.Contains("river", diff.Inserted);
    }

    [Fact]
    public void Parse_RealWikidiff2RepeatedLineMovedAndAnotherAdded_ReportsTheAddedOne()
    {
        // Found by the real-diff property test: the page went from two "----" lines to three; wikidiff2 shows one
        // "----" moved (same words on both sides) and one added. The added one was taken for the moved one's twin.
        var body = TestData.ApiBody("mediawiki-1.39-local/compare-repeated-line-moved-and-added.json").GetProperty("compare").GetProperty("body").GetString()!;

        var diff = DiffHtmlParser.Parse(body);

        Assert.Equal(1, diff.Added.Count(l => l == "----"));
        Assert.DoesNotContain("----", diff.Removed);
    }

    [Fact]
    public void Parse_RealWikidiff2MoveFromALineThatStillStands_KeepsTheAddedLineInDocumentOrder()
    {
        // Found by the real-diff property test (seed 966349016, edit 181): wikidiff2 shows the new first line
        // ("river council castle w2734 …") as moved from an old line that the diff also shows added further down.
        // The parser rightly reports it as added text, but appended it after every other added line, so the added
        // lines no longer followed the new text. The file holds the two texts as the wiki stored them and its answer.
        var record = TestData.ApiBody("mediawiki-1.39-local/compare-moved-pair-out-of-order.json");
        static List<string> Lines(JsonElement text) =>
            [.. text.GetString()!.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];
        var oldLines = Lines(record.GetProperty("old_text"));
        var newLines = Lines(record.GetProperty("new_text"));

        var diff = DiffHtmlParser.Parse(record.GetProperty("answer").GetProperty("compare").GetProperty("body").GetString()!);

        Assert.Equal(newLines[0], diff.Added[0]);
        Assert.DoesNotContain(newLines[0], diff.Context);
        Assert.True(InOrder(diff.Added, newLines), $"added lines out of the new text's order: {string.Join(" | ", diff.Added)}");
        Assert.True(InOrder(diff.Removed, oldLines), $"removed lines out of the old text's order: {string.Join(" | ", diff.Removed)}");
    }

    [Fact]
    public void Parse_ApiDocExample_DecodesEntitiesOnceAndSkipsEmptyContext()
    {
        var diff = DiffHtmlParser.Parse(CompareBody("wikimedia/api/enwiki.compare.fromrev-139992.torev-139993.apidoc-example.json"));

        var added = Assert.Single(diff.Added);
        var removed = Assert.Single(diff.Removed);
        // The new wikitext itself contained "&agrave;": the HTML escaped it as "&amp;agrave;", decoded once.
        Assert.StartsWith(":[[Non-English Wikipedias|About the non-English Wikipedias]] - [http://af.wikipedia.com/ Afrikaans]", added, StringComparison.Ordinal);
        Assert.EndsWith("[http://sv.wikipedia.com/ Swedish (Svensk)]", added, StringComparison.Ordinal);
        Assert.Equal(removed.Replace("Català", "Catal&agrave;", StringComparison.Ordinal).Replace("Français", "Fran&ccedil;ais", StringComparison.Ordinal)
            .Replace("Português", "Portug&ecirc;s", StringComparison.Ordinal), added);
        Assert.Equal(["Catal&agrave;", "Fran&ccedil;ais", "Portug&ecirc;s"], diff.Inserted);
        Assert.Equal(["Català", "Français", "Português"], diff.Deleted);
        Assert.Equal([":'''Wikipedias in other languages'''", "----", ":'''Wikipedia'''"], diff.Context);
    }

    [Fact]
    public void Parse_PywikibotFixture_OlderMarkupStripsInlineTagsAndKeepsFragments()
    {
        var diff = DiffHtmlParser.Parse(TestData.Read("wikimedia/diff-html/enwiki.compare-body.Template-Unsigned.apidoc-example.pywikibot-fixture.html"));

        Assert.Equal(["#REDIRECT [[Template:Unsigned IP]]"], diff.Added);
        Assert.Equal(
        [
            "<small><span class=\"autosigned\">\\u2014&nbsp;Preceding [[Wikipedia:Signatures|unsigned]] comment added by [[User:{{{1}}}|{{{1}}}]] " +
            "([[User talk:{{{1}}}|talk]] \\u2022 [[Special:Contributions/{{{1}}}|contribs]]) {{{2|}}}</span></small><!-- Template:Unsigned --><noinclude>",
            "{{documentation}} <!-- add categories to the /doc page, not here --></noinclude>",
        ], diff.Removed);
        Assert.Equal(["#REDIRECT", "Template", "Unsigned", "IP"], diff.Inserted);
        Assert.Equal(
        [
            "<small><span class=\"autosigned\">\\u2014&nbsp;Preceding", "Wikipedia", "Signatures|unsigned]]", "comment added by [[User:{{{1}}}|{{{1}}}",
            "([[User talk:{{{1}}}|talk]] \\u2022 [[Special:Contributions/{{{1}}}|contribs]]) {{{2|}}}</span></small><!-- Template:Unsigned --><noinclude>",
        ], diff.Deleted);
        Assert.Empty(diff.Context);
    }

    [Fact]
    public void Parse_WikibaseFixture_ReadsNestedTablesAndKeepsPropertyPathsAsContext()
    {
        var diff = DiffHtmlParser.Parse(TestData.Read("wikimedia/diff-html/wikidatawiki.compare-body.295294556-644512863.editgroups-fixture.html"));

        const string Retrieved = "retrieved: 1 March 2018 Timestamp +2018-03-01T00:00:00Z Timezone +00:00 Calendar Gregorian Precision 1 day Before 0 After 1 day";
        Assert.Equal(
        [
            "95-4776451",
            "Normal rank",
            "Charity Navigator ID: 13027 " + Retrieved,
            "13027",
            "Normal rank",
            "stated as: The Gentle Barn",
            "reference URL: https://www.charitynavigator.org/index.cfm?bay=search.alpha&ltr=D#ltr-D " + Retrieved,
        ], diff.Added);
        Assert.Empty(diff.Removed);
        Assert.Empty(diff.Inserted); // each value is inserted whole: it is an added line, not an inline change
        Assert.Equal(
        [
            "Property / IRS Employer Identification Number",
            "Property / IRS Employer Identification Number: 95-4776451 / rank",
            "Property / IRS Employer Identification Number: 95-4776451 / reference",
            "Property / Charity Navigator ID",
            "Property / Charity Navigator ID: 13027 / rank",
            "Property / Charity Navigator ID: 13027 / qualifier",
            "Property / Charity Navigator ID: 13027 / reference",
        ], diff.Context);
    }

    [Theory]
    [InlineData("PHP_TABLE")]
    [InlineData("WIKIDIFF2_TABLE")]
    [InlineData("WIKIDIFF2_INLINE")]
    public void Parse_MediaWikiCoreTextDifferFormats_FooBecomesBar(string section)
    {
        var diff = DiffHtmlParser.Parse(TextDifferSections()[section]);

        Assert.Equal(["bar"], diff.Added);
        Assert.Equal(["foo"], diff.Removed);
        Assert.Empty(diff.Context);
    }

    [Fact]
    public void Parse_MediaWikiCoreUnifiedFormat_WrappedAsMediaWikiWrapsIt()
    {
        // ManifoldTextDiffer::addRowWrapper puts unified output in <tr><td colspan="4"><pre>…</pre></td></tr>.
        var html = $"<tr><td colspan=\"4\"><pre>{TextDifferSections()["PHP_UNIFIED"].Trim()}</pre></td></tr>";

        var diff = DiffHtmlParser.Parse(html);

        Assert.Equal(["bar"], diff.Added);
        Assert.Equal(["foo"], diff.Removed);
    }

    [Fact]
    public void Parse_CurrentFormatContextCells_AreContextNotRemovedText()
    {
        // Current wikidiff2 marks context cells "diff-context diff-side-deleted": the side class must not make them removals.
        const string html = """
            <tr>
              <td class="diff-marker"></td>
              <td class="diff-context diff-side-deleted"><div>&lt;references /&gt;</div></td>
              <td class="diff-marker"></td>
              <td class="diff-context diff-side-added"><div>&lt;references /&gt;</div></td>
            </tr>
            <tr>
              <td class="diff-marker"></td>
              <td class="diff-context diff-side-deleted"><br /></td>
              <td class="diff-marker"></td>
              <td class="diff-context diff-side-added"><br /></td>
            </tr>
            <tr>
              <td class="diff-marker" data-marker="−"></td>
              <td class="diff-deletedline diff-side-deleted"><div>[[Kategorie:Burg <del class="diffchange diffchange-inline">in</del> <del class="diffchange diffchange-inline">Europa</del>]]</div></td>
              <td class="diff-marker" data-marker="+"></td>
              <td class="diff-addedline diff-side-added"><div>[[Kategorie:Burg <ins class="diffchange diffchange-inline">im</ins> <ins class="diffchange diffchange-inline">Landkreis Bayreuth</ins>]]</div></td>
            </tr>
            """;

        var diff = DiffHtmlParser.Parse(html);

        Assert.Equal(["[[Kategorie:Burg im Landkreis Bayreuth]]"], diff.Added);
        Assert.Equal(["[[Kategorie:Burg in Europa]]"], diff.Removed);
        Assert.Equal(["im", "Landkreis Bayreuth"], diff.Inserted);
        Assert.Equal(["in", "Europa"], diff.Deleted);
        Assert.Equal(["<references />"], diff.Context);
    }

    [Fact]
    public void Parse_MovedParagraph_IsContextWithItsInlineChangesKept()
    {
        // wikidiff2 TableFormatter::printWordDiff for a move: the marker cell links to the other side (&#x26AB;).
        const string html = """
            <tr>
              <td class="diff-marker"><a class="mw-diff-movedpara-left" href="#movedpara_1_0_rhs">&#x26AB;</a></td>
              <td class="diff-deletedline diff-side-deleted"><div><a name="movedpara_0_0_lhs"></a>Paragraph that moved <del class="diffchange diffchange-inline">down</del>.</div></td>
              <td colspan="2" class="diff-empty diff-side-added"></td>
            </tr>
            <tr>
              <td colspan="2" class="diff-empty diff-side-deleted"></td>
              <td class="diff-marker"><a class="mw-diff-movedpara-right" href="#movedpara_0_0_lhs">&#x26AB;</a></td>
              <td class="diff-addedline diff-side-added"><div><a name="movedpara_1_0_rhs"></a>Paragraph that moved <ins class="diffchange diffchange-inline">BUY NOW</ins>.</div></td>
            </tr>
            """;

        var diff = DiffHtmlParser.Parse(html);

        Assert.Empty(diff.Added);
        Assert.Empty(diff.Removed);
        Assert.Equal(["BUY NOW"], diff.Inserted);
        Assert.Equal(["down"], diff.Deleted);
        Assert.Equal(["Paragraph that moved BUY NOW."], diff.Context);
        Assert.False(diff.IsEmpty);
    }

    [Fact]
    public void Parse_InlineFormatChangedLine_GivesBothSidesAndFragments()
    {
        const string html = """
            <div class="mw-diff-inline-header"><!-- LINES 1,1 --></div>
            <div class="mw-diff-inline-context">Intro</div>
            <div class="mw-diff-inline-changed"><del>!!FUZZY!!</del>Rajaa <ins>ist</ins> gut</div>
            <div class="mw-diff-inline-context">Outro</div>
            """;

        var diff = DiffHtmlParser.Parse(html);

        Assert.Equal(["Rajaa ist gut"], diff.Added);
        Assert.Equal(["!!FUZZY!!Rajaa  gut"], diff.Removed);
        Assert.Equal(["ist"], diff.Inserted);
        Assert.Equal(["!!FUZZY!!"], diff.Deleted);
        Assert.Equal(["Intro", "Outro"], diff.Context);
    }

    [Theory]
    [InlineData("")]
    [InlineData("<!-- diff cache key enwiki:diff:wikidiff2:1.12:old-1:rev-2:1.10.0 -->")]
    [InlineData("<tr><td colspan=\"2\" class=\"diff-lineno\">Line 1:</td><td colspan=\"2\" class=\"diff-lineno\">Line 1:</td></tr>")]
    [InlineData("<tr><td colspan=\"2\" class=\"diff-lineno\">Zeile 10:</td><td colspan=\"2\" class=\"diff-lineno\"><!--LINE 10--></td></tr>")]
    public void Parse_NoChangedText_IsEmpty(string html)
    {
        var diff = DiffHtmlParser.Parse(html);

        Assert.True(diff.IsEmpty);
        Assert.Empty(diff.Context);
    }

    [Theory]
    [InlineData("<tr><td class=\"diff-addedline\"><div>unclosed cell<tr><td class=\"diff-deletedline\">next", "unclosed cell", "next")]
    [InlineData("<td class=\"diff-addedline\">a < b && c</td><td class=\"diff-deletedline\">x <3 y</td>", "a < b && c", "x <3 y")]
    [InlineData("<td class='diff-addedline' title=\"a>b\">quoted &gt; attribute</td>", "quoted > attribute", null)]
    [InlineData("<td class=\"diff-addedline\"><ins class=\"diffchange\">never closed", "never closed", null)]
    public void Parse_MalformedHtml_ReadsWhatIsThere(string html, string added, string? removed)
    {
        var diff = DiffHtmlParser.Parse(html);

        Assert.Equal([added], diff.Added);
        Assert.Equal(removed is null ? [] : [removed], diff.Removed);
    }

    [Fact]
    public void Parse_ArbitraryHtml_NeverThrowsAndReturnsOnlyTextOfTheInput()
    {
        // Snippets of real diff markup mixed with broken markup, entities and arbitrary text.
        var snippets = Gen.OneOf(
            "<tr>", "</tr>", "<table>", "</table>", "<td class=\"diff-addedline diff-side-added\">", "<td class=\"diff-deletedline\">",
            "<td class=\"diff-context diff-side-deleted\">", "<td class=\"diff-lineno\">", "<td class=\"diff-marker\">", "<td colspan=\"2\" class=\"diff-empty\">",
            "</td>", "<div>", "</div>", "<ins class=\"diffchange diffchange-inline\">", "</ins>", "<del class=\"diffchange\">", "</del>",
            "<div class=\"mw-diff-inline-changed\">", "<div class=\"mw-diff-inline-moved\">", "<pre>", "</pre>", "<br />", "<br>",
            "<a class=\"mw-diff-movedpara-left\" href=\"#x\">&#x26AB;</a>", "<!--", "-->", "<!-- LINE 1 -->", "<", ">", "</", "/>", "\"", "'", "=",
            "&amp;", "&lt;", "&gt;", "&nbsp;", "&#160;", "&#x26AB;", "&agrave;", "&amp", "&#", ";", "&", " ", "\n", "\u00a0", "+", "-", "@@ -1 +1 @@\n",
            "Line 5:", "Wörter", "日本語", "😀", "x");
        var html = Gen.Frequency(
            (4, (IGen<string>)snippets.Array[0, 60].Select(parts => string.Concat(parts))),
            (1, (IGen<string>)Gen.String));

        html.Sample(input =>
        {
            var diff = DiffHtmlParser.Parse(input);
            var source = Squash(WebUtility.HtmlDecode(input));
            foreach (var line in diff.Added.Concat(diff.Removed).Concat(diff.Inserted).Concat(diff.Deleted).Concat(diff.Context))
            {
                Assert.False(string.IsNullOrWhiteSpace(line));
                Assert.True(IsSubsequence(Squash(line), source), $"'{line}' is not text of the input");
            }
        }, iter: 3_000, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void Parse_GeneratedWikidiff2Table_GivesBackEveryLineExactly()
    {
        // Lines with markup-like characters, entities, other scripts and inner spaces; HTML-escaped as wikidiff2 escapes them.
        var atom = Gen.OneOf("a", "b", "Z", "<", ">", "&", ";", "\"", "'", "/", "=", "#", "[[", "]]", "{{", "|", "!", "ä", "日本", "😀", "0", "&amp;");
        var word = atom.Array[1, 8].Select(parts => string.Concat(parts));
        var line = word.Array[1, 6].Select(words => string.Join(' ', words));
        var rows = Gen.Select(Gen.Int[0, 2], line).Array[0, 25];

        rows.Sample(generated =>
        {
            var html = new StringBuilder();
            var (added, removed, context) = (new List<string>(), new List<string>(), new List<string>());
            foreach (var (kind, text) in generated)
            {
                var cell = $"<div>{WebUtility.HtmlEncode(text)}</div>";
                html.Append(kind switch
                {
                    0 => $"<tr>\n  <td colspan=\"2\" class=\"diff-empty diff-side-deleted\"></td>\n  <td class=\"diff-marker\" data-marker=\"+\"></td>\n  <td class=\"diff-addedline diff-side-added\">{cell}</td>\n</tr>\n",
                    1 => $"<tr>\n  <td class=\"diff-marker\" data-marker=\"−\"></td>\n  <td class=\"diff-deletedline diff-side-deleted\">{cell}</td>\n  <td colspan=\"2\" class=\"diff-empty diff-side-added\"></td>\n</tr>\n",
                    _ => $"<tr>\n  <td class=\"diff-marker\"></td>\n  <td class=\"diff-context diff-side-deleted\">{cell}</td>\n  <td class=\"diff-marker\"></td>\n  <td class=\"diff-context diff-side-added\">{cell}</td>\n</tr>\n",
                });
                (kind == 0 ? added : kind == 1 ? removed : context).Add(text);
            }

            var diff = DiffHtmlParser.Parse(html.ToString());

            // A line removed in one place and added word for word in another was moved, not changed: it is context.
            var (netAdded, netRemoved, moved) = Net(added.Select(l => l.Trim()).Where(l => l.Length > 0).ToList(), removed.Select(l => l.Trim()).Where(l => l.Length > 0).ToList());
            var expectedContext = context.Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
            foreach (var line in moved.Where(l => !expectedContext.Contains(l)))
            {
                expectedContext.Add(line);
            }

            Assert.Equal(netAdded, diff.Added);
            Assert.Equal(netRemoved, diff.Removed);
            Assert.Equal(expectedContext, diff.Context);
        }, iter: 500, seed: "0N0XIzNsQ0O2");
    }

    /// <summary>Added and removed lines without the ones on both sides (counted), and those moved ones, in added order.</summary>
    private static (List<string> Added, List<string> Removed, List<string> Moved) Net(List<string> added, List<string> removed)
    {
        var oldCounts = removed.GroupBy(l => l, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var newCounts = added.GroupBy(l => l, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var (netAdded, moved, netRemoved) = (new List<string>(), new List<string>(), new List<string>());
        foreach (var line in added)
        {
            if (oldCounts.GetValueOrDefault(line) > 0)
            {
                oldCounts[line]--;
                moved.Add(line);
            }
            else
            {
                netAdded.Add(line);
            }
        }

        foreach (var line in removed)
        {
            if (newCounts.GetValueOrDefault(line) > 0)
            {
                newCounts[line]--;
            }
            else
            {
                netRemoved.Add(line);
            }
        }

        return (netAdded, netRemoved, moved);
    }

    /// <summary>Whether <paramref name="part"/> is a subsequence of <paramref name="whole"/>, line by line.</summary>
    private static bool InOrder(IReadOnlyList<string> part, List<string> whole)
    {
        var at = 0;
        foreach (var line in part)
        {
            at = whole.IndexOf(line, at) + 1;
            if (at == 0)
            {
                return false;
            }
        }

        return true;
    }

    private static string Squash(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (!char.IsWhiteSpace(c))
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static bool IsSubsequence(string needle, string haystack)
    {
        var j = 0;
        foreach (var c in haystack)
        {
            if (j < needle.Length && needle[j] == c)
            {
                j++;
            }
        }

        return j == needle.Length;
    }
}
