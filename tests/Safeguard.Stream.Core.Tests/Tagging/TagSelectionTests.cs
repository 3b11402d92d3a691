using System.Text.Json.Nodes;
using Safeguard.Stream.Core.Tagging;

namespace Safeguard.Stream.Core.Tests.Tagging;

public sealed class TagSelectionTests
{
    private static TagSelection Select(Action<JsonObject>? change = null, TaggerOptions? options = null) =>
        TagSelection.Select(VerdictSamples.Verdict(change), VerdictSamples.Policies, options ?? VerdictSamples.Options());

    [Fact]
    public void Select_FlaggedEnforcePublicVerdictOfAnOptedInWiki_IsACandidateWithThePolicysTag()
    {
        var candidate = Assert.IsType<TagSelection.Candidate>(Select());

        Assert.Equal("safeguard-spam", candidate.Policy.ChangeTag);
    }

    [Fact]
    public void Select_PolicyWithItsOwnTag_UsesIt()
    {
        var candidate = Assert.IsType<TagSelection.Candidate>(Select(e => e.Safeguard()["policy_id"] = "blp"));

        Assert.Equal("safeguard-biography", candidate.Policy.ChangeTag);
    }

    [Fact]
    public void Select_NotFlaggedVerdict_IsStillACandidateSoItFeedsTheValve()
    {
        var candidate = Assert.IsType<TagSelection.Candidate>(Select(e => e.Safeguard()["flagged"] = false));

        Assert.Equal("spam", candidate.Policy.Id);
    }

    [Fact]
    public void Select_ErrorVerdict_IsACandidateForTheErrorShare()
    {
        Assert.IsType<TagSelection.Candidate>(Select(e =>
        {
            e.Safeguard()["status"] = "error";
            e.Safeguard()["error"] = "length";
        }));
    }

    [Theory]
    [InlineData("redacted", TagSkipReason.Redacted)]
    [InlineData("shadow", TagSkipReason.Shadow)]
    [InlineData("restricted", TagSkipReason.Restricted)]
    [InlineData("dewiki", TagSkipReason.WikiNotOptedIn)]
    [InlineData("unknown-policy", TagSkipReason.PolicyNotTagged)]
    [InlineData("restricted-in-catalog", TagSkipReason.Restricted)]
    public void Select_NotToBeTagged_IsIgnoredWithItsReason(string change, string reason)
    {
        var selection = Select(e =>
        {
            switch (change)
            {
                case "redacted":
                    e.Safeguard()["status"] = "redacted";
                    break;
                case "shadow":
                    e.Safeguard()["mode"] = "shadow";
                    break;
                case "restricted":
                    e.Safeguard()["visibility"] = "restricted";
                    break;
                case "dewiki":
                    e["wiki_id"] = "dewiki";
                    break;
                case "unknown-policy":
                    e.Safeguard()["policy_id"] = "retired-policy";
                    break;
                default:
                    // The event says public, the catalog says restricted: the catalog wins.
                    e.Safeguard()["policy_id"] = "private-information";
                    break;
            }
        });

        Assert.Equal(reason, Assert.IsType<TagSelection.Ignored>(selection).Reason);
    }

    [Fact]
    public void Select_PolicyNotInTheConfiguredList_IsIgnored()
    {
        var selection = Select(options: VerdictSamples.Options(o => o.Policies = ["blp"]));

        Assert.Equal(TagSkipReason.PolicyNotTagged, Assert.IsType<TagSelection.Ignored>(selection).Reason);
    }

    [Fact]
    public void Select_OptedInWikiInAnotherCase_IsACandidate()
    {
        Assert.IsType<TagSelection.Candidate>(Select(options: VerdictSamples.Options(o => o.Wikis = ["ENWIKI"])));
    }

    [Fact]
    public void TagReason_NamesThePolicyAndLinksTheReviewPage_NeverTheRationale()
    {
        var reason = TagSelection.TagReason(VerdictSamples.Spam, 3, "https://review.example.org/safeguard/", "enwiki", 1234567890);

        Assert.Contains("\"Spam and promotion\" (spam v3)", reason, StringComparison.Ordinal);
        Assert.EndsWith("https://review.example.org/safeguard/item/enwiki/1234567890/spam", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("commercial", reason, StringComparison.OrdinalIgnoreCase); // the example's rationale
    }
}
