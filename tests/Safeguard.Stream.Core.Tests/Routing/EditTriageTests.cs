using System.Text;
using System.Text.Json.Nodes;
using Safeguard.Stream.Core.Events;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.Core.Policies;
using Safeguard.Stream.Core.Routing;

namespace Safeguard.Stream.Core.Tests.Routing;

/// <summary>The one triage rule that the routing stage and <c>safeguard route</c> share, on a real page_change event.</summary>
public sealed class EditTriageTests
{
    private static readonly Policy s_spam = new() { Id = "spam", Version = 1, Title = "Spam", Body = "b" };
    private static readonly string s_edit = TestData.Read("wikimedia/events/page_change.edit.enwiki.schema-1.3.0.json");

    private static EditTriage CreateSut(FilterOptions? options = null)
    {
        options ??= new FilterOptions();
        return new EditTriage(new EditRouter(options, [s_spam]), options);
    }

    private static SourceEvent Raw(string payload, long sequence = 1) => new(sequence, "test", sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), Encoding.UTF8.GetBytes(payload));

    [Fact]
    public void Triage_RealEdit_RoutesToThePolicies()
    {
        var decision = CreateSut().Triage(Raw(s_edit));

        Assert.Equal(TriageOutcome.Route, decision.Outcome);
        Assert.Null(decision.Reason);
        Assert.Equal(1319367938, decision.Edit!.RevId);
        Assert.Equal(["spam"], decision.Policies.Select(p => p.Id));
    }

    [Fact]
    public void Triage_SameRevisionTwice_SkipsTheSecondAsDuplicate()
    {
        var sut = CreateSut();

        sut.Triage(Raw(s_edit, 1));
        var second = sut.Triage(Raw(s_edit, 2));

        Assert.Equal((TriageOutcome.Skip, SkipReason.Duplicate), (second.Outcome, second.Reason));
        Assert.NotNull(second.Edit);
    }

    /// <summary>The real edit as the next one on its page, restoring the text <paramref name="sha1"/> over <paramref name="priorSha1"/>.</summary>
    private static string NextEdit(JsonNode edit, long revId, string sha1, string priorSha1)
    {
        var next = edit.DeepClone();
        var parent = (long)next["revision"]!["rev_id"]!;
        next["prior_state"]!["revision"]!["rev_id"] = parent;
        next["prior_state"]!["revision"]!["rev_sha1"] = priorSha1;
        next["revision"]!["rev_parent_id"] = parent;
        next["revision"]!["rev_id"] = revId;
        next["revision"]!["rev_sha1"] = sha1;
        return next.ToJsonString();
    }

    [Fact]
    public void Triage_EditRestoringAnEarlierRevisionsHash_IsMarkedARevert_ThePreScreensSignal()
    {
        var sut = CreateSut();
        var vandalism = JsonNode.Parse(s_edit)!;
        var before = (string)vandalism["prior_state"]!["revision"]!["rev_sha1"]!;
        var vandalHash = (string)vandalism["revision"]!["rev_sha1"]!;

        var first = sut.Triage(Raw(s_edit, 1));
        var restore = sut.Triage(Raw(NextEdit(vandalism, 1319367999, sha1: before, priorSha1: vandalHash), 2));

        Assert.False(first.Edit!.IsRevert);
        Assert.Equal(TriageOutcome.Route, restore.Outcome);
        Assert.True(restore.Edit!.IsRevert);
        Assert.Equal(before, restore.Edit.Sha1);
        Assert.Equal(vandalHash, restore.Edit.PriorSha1);
    }

    [Fact]
    public void Triage_NewTextOnTheSamePage_IsNotARevert_NorWithTheCheckOff()
    {
        var vandalism = JsonNode.Parse(s_edit)!;
        var before = (string)vandalism["prior_state"]!["revision"]!["rev_sha1"]!;
        var vandalHash = (string)vandalism["revision"]!["rev_sha1"]!;
        var sut = CreateSut();
        var off = CreateSut(new FilterOptions { IdentityRevertPages = 0 });

        sut.Triage(Raw(s_edit, 1));
        var fresh = sut.Triage(Raw(NextEdit(vandalism, 1319367999, sha1: "phoiac9h4m842xq45sp7s6u21eteeq1", priorSha1: vandalHash), 2));
        off.Triage(Raw(s_edit, 1));
        var unchecked_ = off.Triage(Raw(NextEdit(vandalism, 1319367999, sha1: before, priorSha1: vandalHash), 2));

        Assert.False(fresh.Edit!.IsRevert);
        Assert.False(unchecked_.Edit!.IsRevert);
    }

    [Fact]
    public void Triage_Canary_IsSkippedWithoutAnEdit()
    {
        var node = JsonNode.Parse(s_edit)!;
        node["meta"]!["domain"] = "canary";

        var decision = CreateSut().Triage(Raw(node.ToJsonString()));

        Assert.Equal((TriageOutcome.Skip, SkipReason.Canary, (EditEvent?)null), (decision.Outcome, decision.Reason, decision.Edit));
    }

    [Fact]
    public void Triage_FilteredEdit_SkipsWithTheRoutersReason()
    {
        var decision = CreateSut(new FilterOptions { Namespaces = [1] }).Triage(Raw(s_edit));

        Assert.Equal((TriageOutcome.Skip, SkipReason.Namespace), (decision.Outcome, decision.Reason));
    }

    [Fact]
    public void Triage_Unparsable_DeadLettersWithTheLineAndTheParsersWords()
    {
        var decision = CreateSut().Triage(Raw("{not json") with { LineNumber = 7 });

        Assert.Equal((TriageOutcome.DeadLetter, EventParseError.MalformedJson), (decision.Outcome, decision.Reason));
        Assert.StartsWith("line 7: ", decision.Detail, StringComparison.Ordinal);
        Assert.Equal(decision.Detail, "line 7: " + decision.ParseError);
    }

    [Fact]
    public void Triage_RejectedBySource_DeadLettersWithTheSourcesReason()
    {
        var decision = CreateSut().Triage(Raw(s_edit) with { Rejection = (EventParseError.TooLarge, "70000 bytes") });

        Assert.Equal((TriageOutcome.DeadLetter, EventParseError.TooLarge, "70000 bytes"), (decision.Outcome, decision.Reason, decision.Detail));
        Assert.Null(decision.ParseError);
    }

    [Fact]
    public void Triage_RecordedVisibilityChange_IsARedactionNotASkip()
    {
        // A recorded page_change visibility change: the router alone would skip it (kind); triage sends it to redaction.
        var decision = CreateSut().Triage(Raw(TestData.Read("wikimedia/events/page_change.item-visibility-change.testwikidatawiki.schema-1.2.0.json")));

        Assert.Equal(TriageOutcome.VisibilityChange, decision.Outcome);
        Assert.NotNull(decision.Edit!.VisibilityChange);
        Assert.Empty(decision.Policies);
    }
}
