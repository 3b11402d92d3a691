using Safeguard.Stream.Classification.Evaluation;

namespace Safeguard.Stream.Classification.Tests.Evaluation;

public sealed class EvalDatasetReaderTests
{
    private static readonly EvalLabels s_vandalism = EvalLabels.For("vandalism", null, null);

    private static string DataFile(string name) => Path.Combine(AppContext.BaseDirectory, "data", "eval", name);

    private const string Valid = """{"id": "1", "wiki": "enwiki", "lang": "en", "label": "vandalism", "title": "T", "comment": "c", "added_text": "poop", "removed_text": null}""";

    [Fact]
    public async Task ReadAsync_ShippedClueBotSet_ReadsEveryRecordWith28Positives()
    {
        using var reader = new StreamReader(DataFile("cluebotng_enwiki_dev.jsonl"));

        var dataset = await EvalDatasetReader.ReadAsync(reader, s_vandalism, null, TestContext.Current.CancellationToken);

        Assert.Empty(dataset.Problems);
        Assert.Equal(315, dataset.Records.Count);
        Assert.Equal(28, dataset.Records.Count(r => r.Truth));
        Assert.All(dataset.Records, r => Assert.Equal("en.wikipedia.org", r.Domain));
        Assert.StartsWith("ClueBot NG review-interface label", dataset.Records[0].Category, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_JigsawWithToxicPositive_AcceptsNullTitleCommentAndRemovedText()
    {
        using var reader = new StreamReader(DataFile("jigsaw_toxic_ibm_max_sample.jsonl"));

        var dataset = await EvalDatasetReader.ReadAsync(reader, EvalLabels.For("personal-attacks", ["toxic"], null), null, TestContext.Current.CancellationToken);

        Assert.Empty(dataset.Problems);
        Assert.Equal(101, dataset.Records.Count);
        Assert.Equal(13, dataset.Records.Count(r => r.Truth));
        Assert.Null(dataset.Records[0].Title);
    }

    [Fact]
    public void Parse_BadLines_ReportedByLineNumberAndLeftOut()
    {
        string[] lines =
        [
            Valid,                                                                               // 1 ok
            "{not json",                                                                         // 2
            "",                                                                                  // 3 blank: ignored
            """{"id": "2", "wiki": "enwiki", "lang": "en", "title": null, "comment": null, "added_text": "x", "removed_text": null}""",             // 4 no label
            """{"id": "3", "wiki": "enwiki", "lang": "en", "label": "unsure", "title": null, "comment": null, "added_text": "x", "removed_text": null}""", // 5
            Valid,                                                                               // 6 repeated id
            """{"id": "4", "wiki": "enwiki", "lang": "", "label": "constructive", "comment": null, "added_text": "x", "removed_text": null}""",     // 7 empty lang, no title
            """{"id": "5", "wiki": "enwiki", "lang": "en", "label": "constructive", "title": "T", "comment": "", "added_text": "", "removed_text": null}""", // 8 nothing
            """{"id": "6", "wiki": "Not A Wiki", "lang": "en", "label": "constructive", "title": "T", "comment": null, "added_text": "x", "removed_text": null}""", // 9
            "[1, 2]",                                                                            // 10
            """{"id": "7", "wiki": "enwiki", "lang": "en", "label": "constructive", "title": "T", "comment": null, "added_text": 42, "removed_text": null}""", // 11
            """{"id": "8", "wiki": "dewiki", "lang": "de", "label": "CONSTRUCTIVE", "title": "T", "comment": null, "added_text": "x", "removed_text": null, "namespace": 2}""", // 12 ok
        ];

        var dataset = EvalDatasetReader.Parse(lines, s_vandalism, null);

        Assert.Equal(["1", "8"], dataset.Records.Select(r => r.Id));
        Assert.Equal([2, 4, 5, 6, 7, 8, 9, 10, 11], dataset.Problems.Select(p => p.Line));
        var byLine = dataset.Problems.ToDictionary(p => p.Line, p => p.Message);
        Assert.Contains("not valid JSON", byLine[2], StringComparison.Ordinal);
        Assert.Contains("label", byLine[4], StringComparison.Ordinal);
        Assert.Contains("unknown label 'unsure'", byLine[5], StringComparison.Ordinal);
        Assert.Contains("repeats line 1", byLine[6], StringComparison.Ordinal);
        Assert.Contains("lang, title", byLine[7], StringComparison.Ordinal);
        Assert.Contains("nothing to classify", byLine[8], StringComparison.Ordinal);
        Assert.Contains("no known host name", byLine[9], StringComparison.Ordinal);
        Assert.Contains("not a JSON object", byLine[10], StringComparison.Ordinal);
        Assert.Contains("added_text", byLine[11], StringComparison.Ordinal);
        Assert.Equal(12, dataset.LinesRead);
        Assert.False(dataset.Records[1].Truth);
        Assert.Equal(2, dataset.Records[1].Namespace);
    }

    [Fact]
    public void Parse_Limit_StopsAfterThatManyUsableRecords()
    {
        string[] lines = [Valid, "{bad", Valid.Replace("\"1\"", "\"2\"", StringComparison.Ordinal), Valid.Replace("\"1\"", "\"3\"", StringComparison.Ordinal)];

        var dataset = EvalDatasetReader.Parse(lines, s_vandalism, 2);

        Assert.Equal(2, dataset.Records.Count);
        Assert.Single(dataset.Problems);
        Assert.True(dataset.Limited);
    }

    [Fact]
    public void For_Defaults_PolicyIdPositiveAndConventionalNegatives()
    {
        var labels = EvalLabels.For("vandalism", null, null);

        Assert.True(labels.Truth("vandalism"));
        Assert.False(labels.Truth("constructive"));
        Assert.False(labels.Truth("not_vandalism"));
        Assert.Null(labels.Truth("spam"));
    }

    [Fact]
    public void For_ExplicitNegatives_OnlyThoseAreNegative()
    {
        var labels = EvalLabels.For("vandalism", ["bad", "worse"], ["fine"]);

        Assert.True(labels.Truth("worse"));
        Assert.False(labels.Truth("fine"));
        Assert.Null(labels.Truth("constructive"));
        Assert.Throws<ArgumentException>(() => EvalLabels.For("x", ["a"], ["a"]));
    }

    [Theory]
    [InlineData("enwiki", "en.wikipedia.org")]
    [InlineData("zh_yuewiki", "zh-yue.wikipedia.org")]
    [InlineData("dewiktionary", "de.wiktionary.org")]
    [InlineData("wikidatawiki", "www.wikidata.org")]
    [InlineData("commonswiki", "commons.wikimedia.org")]
    [InlineData("Not A Wiki", null)]
    [InlineData("wiki", null)]
    public void DomainFor_WikiIds(string wiki, string? domain)
    {
        Assert.Equal(domain, WikiDomains.DomainFor(wiki));
    }

    [Fact]
    public void ToClassificationRequest_Record_IsTheEditThePipelineWouldClassify()
    {
        var record = EvalDatasetReader.Parse(
            ["""{"id": "394519551", "wiki": "dewiki", "lang": "de", "label": "vandalism", "title": "Berlin", "comment": "sum", "added_text": "a\nb", "removed_text": "c"}"""],
            s_vandalism, null).Records.Single();

        var enriched = record.ToClassificationRequest(DateTimeOffset.UnixEpoch);

        Assert.Equal("de.wikipedia.org", enriched.Edit.Domain);
        Assert.Equal("de", enriched.Edit.Language);
        Assert.Equal(394519551, enriched.Edit.RevId);
        Assert.Equal("Berlin", enriched.Edit.PageTitle);
        Assert.Equal("sum", enriched.Edit.Comment);
        Assert.Equal(["a", "b"], enriched.Diff.Added);
        Assert.Equal(["c"], enriched.Diff.Removed);
        Assert.Equal(DateTimeOffset.UnixEpoch, enriched.Edit.EventTime);
    }
}
