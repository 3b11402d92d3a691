using Safeguard.Stream.Postgres;

namespace Safeguard.Stream.Review;

/// <summary>What one export wrote and what it left out, and why.</summary>
public sealed record FeedbackExportResult(int Reviewed, int Written, int Positive, int Negative, int NoConsensus, int Deleted, int NothingToClassify, int Unavailable)
{
    /// <summary>Why the wiki did not answer, one line per revision left out for it.</summary>
    public IReadOnlyList<string> Failures { get; init; } = [];
}

/// <summary>
/// <c>safeguard feedback export</c>: moderators' judgements of one policy's flags become an eval dataset, in the JSONL
/// that <c>safeguard eval --dataset</c> reads (<c>EvalDatasetReader</c>). The label is the consensus one
/// (<c>safeguard.review_label</c> at the quorum): a flag judged correct is labeled with the policy id (a positive), one
/// judged incorrect <c>not_&lt;policy&gt;</c> (a conventional negative); a verdict without a standing label is left out.
/// The text is fetched live from the wiki through <see cref="RevisionDiffs"/> (the worker's own client): a revision the
/// wiki has hidden, suppressed or lost since, or that was redacted in the audit table, is left out, as is one whose
/// wiki does not answer. Every left-out verdict is counted.
/// </summary>
public sealed class FeedbackExporter(ModeratorQueries queries, RevisionDiffs diffs)
{
    public async Task<FeedbackExportResult> ExportAsync(string policyId, string? wikiId, int quorum, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var reviewed = await queries.ReviewedVerdictsAsync(policyId, wikiId, quorum, cancellationToken);
        int written = 0, positive = 0, noConsensus = 0, deleted = 0, empty = 0;
        var failures = new List<string>();
        foreach (var verdict in reviewed)
        {
            if (verdict.Label is not { } label)
            {
                noConsensus++;
                continue;
            }

            var diff = await diffs.FetchAsync(verdict.ToItem(), cancellationToken);
            if (diff.Deleted)
            {
                deleted++;
                continue;
            }

            if (diff.Diff is not { } text)
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"{verdict.WikiId}:{verdict.RevId}: {diff.Unavailable}"));
                continue;
            }

            // Whole lines, as eval datasets hold them (a changed line is on both sides); the classifier finds the change.
            var added = string.Join('\n', text.Added);
            var removed = string.Join('\n', text.Removed);
            if (added.Length == 0 && removed.Length == 0)
            {
                empty++;
                continue;
            }

            var correct = label == ReviewVerdicts.Correct;
            positive += correct ? 1 : 0;
            written++;
            await output.WriteLineAsync(Record(verdict, quorum, correct, added, removed).AsMemory(), cancellationToken);
        }

        return new FeedbackExportResult(reviewed.Count, written, positive, written - positive, noConsensus, deleted, empty, failures.Count) { Failures = failures };
    }

    /// <summary>The label an export gives a verdict judged <paramref name="correct"/>: the policy id, or <c>not_</c> it.</summary>
    public static string LabelFor(string policyId, bool correct) => correct ? policyId : "not_" + policyId;

    private static string Record(ReviewedVerdict v, int quorum, bool correct, string added, string removed)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", string.Create(CultureInfo.InvariantCulture, $"{v.WikiId}:{v.RevId}"));
            json.WriteString("source", string.Create(CultureInfo.InvariantCulture,
                $"safeguard feedback export: moderators' consensus at quorum {quorum} on {v.PolicyId} v{v.PolicyVersion}'s {v.Mode} verdict {v.Id}"));
            json.WriteString("wiki", v.WikiId);
            json.WriteString("domain", v.Domain);
            json.WriteString("lang", v.Domain!.Split('.')[0]);
            json.WriteString("label", LabelFor(v.PolicyId, correct));
            json.WriteString("label_detail", string.Create(CultureInfo.InvariantCulture,
                $"{v.Mode}: {v.Correct} correct, {v.Incorrect} incorrect of {v.Reviews} reviews"));
            json.WriteString("category", v.Mode);
            json.WriteString("title", v.PageTitle?.Replace('_', ' '));
            json.WriteNumber("namespace", v.Namespace ?? 0);
            // The audit table keeps no edit summary, and the wiki's compare answer is what the export reads.
            json.WriteNull("comment");
            json.WriteString("added_text", added);
            json.WriteString("removed_text", removed);
            json.WriteNumber("rev_id", v.RevId);
            if (v.ParentRevId is { } parent)
            {
                json.WriteNumber("parent_rev_id", parent);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
