using Safeguard.Stream.Classification.Evaluation;
using Safeguard.Stream.Classification.Policies;
using Safeguard.Stream.Core.Policies;
using Safeguard.Stream.Core.Routing;

namespace Safeguard.Stream.Classification.Tests.Evaluation;

/// <summary>
/// The pre-screen on the real labeled ClueBot NG dev set (315 enwiki edits, 28 labeled vandalism by ClueBot NG's
/// reviewers) with the shipped policies: it must never skip a labeled vandalism edit for the vandalism policy, and
/// what it saves is counted, not assumed. The same numbers are in BENCHMARKS.md (make bench, prescreen.*).
/// </summary>
public sealed class PreScreenOnLabeledDataTests
{
    private static async Task<EvalDataset> ClueBotAsync()
    {
        using var reader = new StreamReader(Path.Combine(AppContext.BaseDirectory, "data", "eval", "cluebotng_enwiki_dev.jsonl"));
        return await EvalDatasetReader.ReadAsync(reader, EvalLabels.For("vandalism", null, null), null, TestContext.Current.CancellationToken);
    }

    private static Policy Shipped(string id) =>
        PolicyCatalog.LoadDirectory(PolicyCatalog.ResolveDirectory("policies")).Policies.Single(p => p.Id == id);

    [Fact]
    public async Task Check_VandalismPolicy_SkipsNoLabeledVandalism()
    {
        var data = await ClueBotAsync();
        var vandalism = Shipped("vandalism");

        var skipped = data.Records
            .Select(r => (Record: r, Request: r.ToClassificationRequest(DateTimeOffset.UnixEpoch)))
            .Where(x => PreScreen.Check(vandalism, x.Request.Edit, x.Request.Diff) is not null)
            .Select(x => x.Record)
            .ToList();

        Assert.DoesNotContain(skipped, r => r.Truth);
        Assert.True(skipped.Count < data.Records.Count / 2, $"{skipped.Count} of {data.Records.Count} skipped: the pre-screen is meant to skip what cannot violate, not half of all edits");
    }

    [Fact]
    public async Task Check_SpamPolicy_SkipsTheEditsThatAddNoWords()
    {
        var data = await ClueBotAsync();
        var spam = Shipped("spam");
        Assert.Equal(PolicyJudges.Added, spam.Judges);

        var reasons = data.Records
            .Select(r => r.ToClassificationRequest(DateTimeOffset.UnixEpoch))
            .Select(x => PreScreen.Check(spam, x.Edit, x.Diff))
            .ToList();

        // Records whose added side is empty can add nothing: every one of them is skipped for spam.
        var emptyAdded = data.Records.Count(r => string.IsNullOrWhiteSpace(r.AddedText));
        Assert.True(emptyAdded > 0, "the dev set has edits that only remove text");
        Assert.True(reasons.Count(r => r == SkipReason.NothingAdded) >= emptyAdded,
            $"nothing_added {reasons.Count(r => r == SkipReason.NothingAdded)} < {emptyAdded} edits with no added text");
    }
}
