using Dapper;
using Npgsql;

namespace Safeguard.Stream.Review.Tests;

/// <summary>
/// Verdicts the browser tests review, written as the worker's audit sink would leave them. Their revisions are ones
/// the demo's recorded wiki answers know (tests/data/demo/wiki-api.jsonl), so the item page fetches real diffs.
/// </summary>
internal static class ReviewSeed
{
    public sealed record Verdict(
        string Key, string WikiId, string Domain, long RevId, long ParentRevId, string PageTitle, string PolicyId, string Visibility,
        string Mode, float Probability, string Rationale, bool Flagged = true, bool Redacted = false)
    {
        public Guid EventId { get; } = Guid.NewGuid();

        public string ItemPath => $"/item/{WikiId}/{RevId}/{PolicyId}";
    }

    public static readonly Verdict PublicSpam = new("spam", "enwiki", "en.wikipedia.org", 1361254674, 1355685748, "Eastfield_Academy", "spam", "public", "enforce", 0.91f, "Adds a promotional link farm to the school article.");
    public static readonly Verdict Restricted = new("restricted", "enwiki", "en.wikipedia.org", 1361255360, 1356895333, "Lisbon_Metro", "private-information", "restricted", "enforce", 0.88f, "RESTRICTED-RATIONALE-names-a-private-address");
    public static readonly Verdict Shadow = new("shadow", "dewiki", "de.wikipedia.org", 262481605, 254854921, "Burg_Rabenstein_(Oberfranken)", "vandalism", "public", "shadow", 0.7f, "Would flag: a vandalism pattern in the references.");
    public static readonly Verdict HiddenOnWiki = new("hidden", "enwiki", "en.wikipedia.org", 1361275743, 1360406630, "Port_Alder", "spam", "public", "enforce", 0.95f, "HIDDEN-REVISION-RATIONALE");
    public static readonly Verdict JudgedByOthers = new("judged", "enwiki", "en.wikipedia.org", 1361255750, 1353017763, "Marcus_Ellery", "spam", "public", "enforce", 0.8f, "An external link to a shop.");
    public static readonly Verdict Redacted = new("redacted", "enwiki", "en.wikipedia.org", 1319367938, 1319295223, "Anees_(musician)", "spam", "public", "enforce", 0.9f, "REDACTED-RATIONALE", Redacted: true);
    public static readonly Verdict Untouched = new("untouched", "eswiki", "es.wikipedia.org", 171905579, 167506250, "Fotosíntesis", "spam", "public", "enforce", 0.66f, "A link to a homework service.");
    public static readonly Verdict NotFlagged = new("clean", "enwiki", "en.wikipedia.org", 1361255458, 1361255360, "Lisbon_Metro", "spam", "public", "enforce", 0.05f, "Nothing promotional.", Flagged: false);

    public static IReadOnlyList<Verdict> All { get; } = [PublicSpam, Restricted, Shadow, HiddenOnWiki, JudgedByOthers, Redacted, Untouched, NotFlagged];

    /// <summary>The other reviewer whose judgement of <see cref="JudgedByOthers"/> is already stored.</summary>
    public const string OtherReviewer = "another-moderator";

    public static async Task WriteAsync(NpgsqlDataSource owner, CancellationToken ct)
    {
        await using var connection = await owner.OpenConnectionAsync(ct);
        var now = TimeProvider.System.GetUtcNow();
        await connection.ExecuteAsync(new CommandDefinition("select safeguard.ensure_classifications_partition(@now)", new { now }, cancellationToken: ct));
        var latency = 200;
        foreach (var v in All)
        {
            latency += 150;
            await connection.ExecuteAsync(new CommandDefinition("""
                insert into safeguard.classifications (wiki_id, rev_id, policy_id, policy_version, event_id, domain, page_id, page_title, namespace,
                    parent_rev_id, rev_dt, status, violation, probability, flagged, mode, category, rationale, visibility, model, reasoning_effort,
                    latency_ms, classified_at, redacted_at, redaction_reason)
                values (@WikiId, @RevId, @PolicyId, 1, @EventId, @Domain, 1, @PageTitle, 0, @ParentRevId, @revDt, 'ok', @Flagged, @Probability,
                    @Flagged, @Mode, 'X1', @Rationale, @Visibility, 'openai/gpt-oss-safeguard-20b', 'low', @latency, @classifiedAt,
                    case when @Redacted then @classifiedAt end, case when @Redacted then 'revision_suppressed' end)
                """,
                new
                {
                    v.WikiId,
                    v.RevId,
                    v.PolicyId,
                    v.EventId,
                    v.Domain,
                    v.PageTitle,
                    v.ParentRevId,
                    v.Flagged,
                    v.Probability,
                    v.Mode,
                    v.Rationale,
                    v.Visibility,
                    v.Redacted,
                    latency,
                    revDt = now.AddHours(-2),
                    classifiedAt = now.AddHours(-1),
                }, cancellationToken: ct));
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "insert into safeguard.feedback (event_id, verdict, note, reviewer) values (@EventId, 'correct', 'OTHER-REVIEWER-NOTE', @reviewer)",
            new { JudgedByOthers.EventId, reviewer = OtherReviewer }, cancellationToken: ct));
    }
}
