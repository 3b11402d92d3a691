using Safeguard.Stream.Classification.Evaluation;
using Safeguard.Stream.Classification.Policies;
using Safeguard.Stream.Core.Routing;

namespace Safeguard.Stream.Benchmarks;

/// <summary>
/// The pre-screen on the real labeled ClueBot NG dev set with the shipped policies: model requests with and without it
/// (one per record and policy in scope), what it skipped by reason, and how many labeled vandalism edits it skipped
/// for the vandalism policy (the target is none). Deterministic: no model is called.
/// </summary>
public static class PreScreenBenchmark
{
    public static async Task<Dictionary<string, object>> RunAsync(string dataset, string policiesDirectory)
    {
        using var reader = new StreamReader(dataset);
        var data = await EvalDatasetReader.ReadAsync(reader, EvalLabels.For("vandalism", null, null), null, CancellationToken.None);
        var policies = PolicyCatalog.LoadDirectory(PolicyCatalog.ResolveDirectory(policiesDirectory)).Policies;
        var without = 0;
        var with = 0;
        var positivesSkipped = 0;
        var byReason = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var record in data.Records)
        {
            var request = record.ToClassificationRequest(DateTimeOffset.UnixEpoch);
            foreach (var policy in policies.Where(p => p.AppliesTo.Matches(record.Wiki, record.Lang, record.Namespace)))
            {
                without++;
                if (PreScreen.Check(policy, request.Edit, request.Diff) is not { } reason)
                {
                    with++;
                    continue;
                }

                byReason[reason] = byReason.GetValueOrDefault(reason) + 1;
                if (record.Truth && policy.Id == "vandalism")
                {
                    positivesSkipped++;
                }
            }
        }

        return new Dictionary<string, object>
        {
            ["dataset"] = Path.GetFileName(dataset),
            ["records"] = data.Records.Count,
            ["labeled_vandalism"] = data.Records.Count(r => r.Truth),
            ["policies"] = string.Join(",", policies.Select(p => p.Id)),
            ["requests_without"] = without,
            ["requests_with"] = with,
            ["requests_saved_ratio"] = without == 0 ? 0 : Math.Round(1 - ((double)with / without), 4),
            ["positives_skipped"] = positivesSkipped,
            ["skipped_by_reason"] = byReason,
        };
    }
}
