using Safeguard.Stream.Core.Diffs;

namespace Safeguard.Stream.Core.Tests.Diffs;

public sealed class DiffHtmlParserTests
{
    [Fact]
    public void Parse_RecordedCategoryChange_SplitsAddedRemovedAndContext()
    {
        var body = TestData.ApiBody("wikimedia/api/enwiki.compare.fromrev-920429244.torelative-prev.recorded.json");
        var html = body.GetProperty("compare").GetProperty("*").GetString()!;

        var diff = DiffHtmlParser.Parse(html);

        Assert.Equal(["[[Category:1490s establishments in Japan]]"], diff.Added);
        Assert.Equal(["[[Category:15th-century establishments in Japan]]"], diff.Removed);
        Assert.Equal(
            ["[[Category:Forts in Japan]]", "[[Category:Osaka Castle]]", "[[Category:15th-century fortifications]]", "[[Category:Rennyo]]"],
            diff.Context);
    }

    [Fact]
    public void Parse_ApiDocExample_DecodesEntitiesOnceAndSkipsEmptyContext()
    {
        var body = TestData.ApiBody("wikimedia/api/enwiki.compare.fromrev-139992.torev-139993.apidoc-example.json");

        var diff = DiffHtmlParser.Parse(body.GetProperty("compare").GetProperty("*").GetString()!);

        var added = Assert.Single(diff.Added);
        // The wikitext itself contained "&agrave;": the HTML escaped it as "&amp;agrave;", decoded once.
        Assert.Contains("Catalan (Catal&agrave;)", added, StringComparison.Ordinal);
        Assert.Contains("Catalan (Català)", Assert.Single(diff.Removed), StringComparison.Ordinal);
        Assert.Equal([":'''Wikipedias in other languages'''", "----", ":'''Wikipedia'''"], diff.Context);
    }

    [Fact]
    public void Parse_PywikibotFixture_StripsInlineMarkupAndIgnoresEmptyCells()
    {
        var diff = DiffHtmlParser.Parse(TestData.Read("wikimedia/diff-html/enwiki.compare-body.Template-Unsigned.apidoc-example.pywikibot-fixture.html"));

        Assert.Equal(["#REDIRECT [[Template:Unsigned IP]]"], diff.Added);
        Assert.Equal(2, diff.Removed.Count);
        Assert.StartsWith("<small><span class=\"autosigned\">", diff.Removed[0], StringComparison.Ordinal);
        Assert.Equal("{{documentation}} <!-- add categories to the /doc page, not here --></noinclude>", diff.Removed[1]);
        Assert.Empty(diff.Context);
    }

    [Fact]
    public void Parse_EmptyBody_IsEmpty()
    {
        Assert.True(DiffHtmlParser.Parse(string.Empty).IsEmpty);
    }

    [Fact]
    public void TruncateTo_KeepsAddedFirstAndMarksTruncation()
    {
        var diff = new DiffText(["aaaa", "bbbb"], ["cccc"], ["dddd"]);

        var cut = diff.TruncateTo(6);

        Assert.True(cut.Truncated);
        Assert.Equal(["aaaa", "bb"], cut.Added);
        Assert.Empty(cut.Removed);
        Assert.False(diff.TruncateTo(100).Truncated);
    }
}
