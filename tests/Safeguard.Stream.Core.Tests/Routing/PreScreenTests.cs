using System.Text;
using Safeguard.Stream.Core.Diffs;
using Safeguard.Stream.Core.Events;
using Safeguard.Stream.Core.Policies;
using Safeguard.Stream.Core.Routing;

namespace Safeguard.Stream.Core.Tests.Routing;

public sealed class PreScreenTests
{
    private static readonly Policy s_spam = new() { Id = "spam", Version = 1, Title = "Spam", Body = "b", Judges = PolicyJudges.Added };
    private static readonly Policy s_vandalism = new() { Id = "vandalism", Version = 1, Title = "Vandalism", Body = "b" };

    private static EditEvent Edit(bool revert = false) => new()
    {
        SchemaUri = "test",
        Stream = "test",
        Domain = "en.wikipedia.org",
        WikiId = "enwiki",
        RevId = 2,
        ParentRevId = 1,
        Kind = EditKind.Edit,
        SourceKind = "edit",
        PageTitle = "Page",
        Namespace = 0,
        EventTime = DateTimeOffset.UnixEpoch,
        IsRevert = revert,
    };

    private static DiffText Diff(string[] added, string[] removed, string[]? inserted = null, string[]? deleted = null) =>
        new(added, removed, []) { Inserted = inserted ?? [], Deleted = deleted ?? [] };

    [Theory]
    [InlineData("The '''quick''' fox", "The quick fox")]
    [InlineData("* [[Paris]], France.", "*Paris , France")]
    [InlineData("== History ==", "==History==")]
    [InlineData("a  b\u00a0c", "a b c")]
    public void Check_FormattingOnlyChange_SkipsEveryPolicy(string added, string removed)
    {
        var diff = Diff([added], [removed]);

        Assert.Equal(SkipReason.FormattingOnly, PreScreen.Check(s_vandalism, Edit(), diff));
        Assert.Equal(SkipReason.FormattingOnly, PreScreen.Check(s_spam, Edit(), diff));
    }

    [Theory]
    [InlineData("a therapist", "a the rapist", "joined words")]
    [InlineData("The Fox", "The fox", "case")]
    [InlineData("born 1961", "born 1962", "a number")]
    [InlineData("[[Paris]]", "[[London]]", "a link target")]
    [InlineData("he is an idiot", "he is not an idiot", "a word taken out")]
    [InlineData("民主主义", "民主", "CJK")]
    [InlineData("שלום עולם", "שלום", "right-to-left")]
    public void Check_VandalismPolicy_ClassifiesAnyChangeOfWords(string added, string removed, string why)
    {
        var diff = Diff([added], [removed]);

        Assert.True(PreScreen.Check(s_vandalism, Edit(), diff) is null, why);
    }

    [Fact]
    public void Check_Blanking_IsClassifiedByVandalismButSkippedBySpam()
    {
        var diff = Diff([], ["A whole paragraph of sourced text."]);

        Assert.Null(PreScreen.Check(s_vandalism, Edit(), diff));
        Assert.Equal(SkipReason.NothingAdded, PreScreen.Check(s_spam, Edit(), diff));
    }

    [Fact]
    public void Check_LineThatOnlyLostWords_AddsNothing()
    {
        var diff = Diff(["Visit the shop today"], ["Visit the best shop in town today"], deleted: ["best", "in town"]);

        Assert.Equal(SkipReason.NothingAdded, PreScreen.Check(s_spam, Edit(), diff));
        Assert.Null(PreScreen.Check(s_vandalism, Edit(), diff));
    }

    [Theory]
    [InlineData("Visit example.com for deals", "Visit the shop")]
    [InlineData("Visit the shop", "")]
    public void Check_AddedWords_AreClassifiedBySpam(string added, string removed)
    {
        var diff = Diff([added], removed.Length == 0 ? [] : [removed]);

        Assert.Null(PreScreen.Check(s_spam, Edit(), diff));
    }

    [Fact]
    public void Check_InlineInsertionWithWords_IsAnAddition()
    {
        // A changed line whose added side happens to hold the removed words in order, but the insertion adds a word.
        var diff = Diff(["Buy cheap pills now"], ["Buy pills now"], inserted: ["cheap "]);

        Assert.Null(PreScreen.Check(s_spam, Edit(), diff));
    }

    [Fact]
    public void Check_Revert_SkipsEveryPolicy()
    {
        var diff = Diff(["restored text"], ["vandalised text"]);

        Assert.Equal(SkipReason.Revert, PreScreen.Check(s_vandalism, Edit(revert: true), diff));
        Assert.Equal(SkipReason.Revert, PreScreen.Check(s_spam, Edit(revert: true), diff));
    }

    [Fact]
    public void Check_TruncatedDiff_IsAlwaysClassified()
    {
        var diff = Diff([], ["x"]) with { Truncated = true };

        Assert.Null(PreScreen.Check(s_spam, Edit(), diff));
    }

    [Fact]
    public void Check_TooManyLinePairs_IsClassifiedRatherThanProved()
    {
        var lines = Enumerable.Range(0, 150).Select(i => "word" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var diff = Diff(lines, lines.Reverse().ToArray());

        Assert.Null(PreScreen.Check(s_spam, Edit(), diff));
    }

    [Theory]
    [InlineData("""{"tags":["mw-rollback"]}""", true)]
    [InlineData("""{"tags":["mw-undo","visualeditor"]}""", true)]
    [InlineData("""{"tags":["visualeditor"]}""", false)]
    [InlineData("""{"comment":"Undid revision 123 by Vandal"}""", false)]
    public void Parse_RecentChange_RevertTagsMarkARevert(string extra, bool revert)
    {
        var json = """
            {"$schema":"/mediawiki/recentchange/1.0.0","meta":{"domain":"en.wikipedia.org","stream":"mediawiki.recentchange","dt":"2026-01-01T00:00:00Z"},
             "type":"edit","wiki":"enwiki","title":"Page","namespace":0,"timestamp":1767225600,"user":"U","bot":false,
             "revision":{"old":1,"new":2},"length":{"old":10,"new":12}}
            """;
        json = json.TrimEnd()[..^1] + "," + extra[1..];

        var result = EventParser.Parse(Encoding.UTF8.GetBytes(json));

        Assert.True(result.IsSuccess, result.ErrorDetail);
        Assert.Equal(revert, result.Event!.IsRevert);
    }

    [Theory]
    [InlineData(0.05, SkipReason.RevertRiskBelowGate)]
    [InlineData(0.0999, SkipReason.RevertRiskBelowGate)]
    [InlineData(0.1, null)]
    [InlineData(0.17687281966209412, null)]
    public void CheckGate_ScoreAgainstThreshold_SkipsOnlyBelowIt(double probability, string? expected)
    {
        var gated = s_spam with { Gate = new RevertRiskGate(0.1) };

        Assert.Equal(expected, PreScreen.CheckGate(gated, new RevertRiskScore(probability, "revertrisk-language-agnostic", "3")));
    }

    [Fact]
    public void CheckGate_NoScore_FailsOpen()
    {
        Assert.Null(PreScreen.CheckGate(s_spam with { Gate = new RevertRiskGate(0.1) }, null));
    }

    [Fact]
    public void CheckGate_PolicyWithoutGate_NeverSkips()
    {
        Assert.Null(PreScreen.CheckGate(s_spam, new RevertRiskScore(0.001, "revertrisk-language-agnostic", "3")));
    }

    [Theory]
    [InlineData("revertrisk < 0.1", 0.1)]
    [InlineData("  revertrisk<0.25 ", 0.25)]
    [InlineData("revertrisk < 1", 1.0)]
    public void RevertRiskGate_TryParse_ReadsTheThreshold(string text, double below)
    {
        Assert.True(RevertRiskGate.TryParse(text, out var gate, out var error));
        Assert.Null(error);
        Assert.Equal(below, gate!.Below);
    }
}
