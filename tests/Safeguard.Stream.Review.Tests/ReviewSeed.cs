using Dapper;
using Npgsql;
using Safeguard.Stream.Fakes;

namespace Safeguard.Stream.Review.Tests;

/// <summary>
/// Verdicts the browser tests review, written as the worker's audit sink would leave them, on edits made first on the
/// class's real MediaWiki (<see cref="MediaWikiServer"/>), so the item page fetches each diff live from the wiki's API.
/// <see cref="HiddenOnWiki"/>'s text is revision-deleted on the wiki; <see cref="Redacted"/> is redacted in the audit
/// table. Also a recorded eval run per policy (a restricted one among them) and an open safety valve.
/// </summary>
public sealed class ReviewSeed
{
    public sealed record Verdict(
        string Key, string WikiId, string Domain, string PageTitle, string PolicyId, string Visibility, string Mode, float Probability,
        string Rationale, string Added, bool Flagged = true, bool Redacted = false)
    {
        public Guid EventId { get; } = Guid.NewGuid();

        /// <summary>The revision on the class's wiki, known once <see cref="CreateAsync"/> has made the edit.</summary>
        public long RevId { get; private set; }

        public long ParentRevId { get; private set; }

        public string ItemPath => $"/item/{WikiId}/{RevId}/{PolicyId}";

        public void MadeAs(WikiEdit edit) => (RevId, ParentRevId) = (edit.RevId, edit.ParentRevId ?? 0);
    }

    public Verdict PublicSpam { get; } = new("spam", "enwiki", "en.wikipedia.org", "Eastfield_Academy", "spam", "public", "enforce", 0.91f, "Adds a promotional link farm to the school article.", "Visit http://best-school-deals.example/ for the cheapest tuition!");
    public Verdict Restricted { get; } = new("restricted", "enwiki", "en.wikipedia.org", "Lisbon_Metro", "private-information", "restricted", "enforce", 0.88f, "RESTRICTED-RATIONALE-names-a-private-address", "The driver lives at 12 Example Street, flat 3.");
    public Verdict Shadow { get; } = new("shadow", "dewiki", "de.wikipedia.org", "Burg_Rabenstein_(Oberfranken)", "vandalism", "public", "shadow", 0.7f, "Would flag: a vandalism pattern in the references.", "Die Burg ist doof und langweilig.");
    public Verdict HiddenOnWiki { get; } = new("hidden", "enwiki", "en.wikipedia.org", "Port_Alder", "spam", "public", "enforce", 0.95f, "HIDDEN-REVISION-RATIONALE", "HIDDEN-ON-THE-WIKI cheap pills http://pills.example/");
    public Verdict JudgedByOthers { get; } = new("judged", "enwiki", "en.wikipedia.org", "Marcus_Ellery", "spam", "public", "enforce", 0.8f, "An external link to a shop.", "His records are sold at http://shop.example/.");
    public Verdict Redacted { get; } = new("redacted", "enwiki", "en.wikipedia.org", "Anees_(musician)", "spam", "public", "enforce", 0.9f, "REDACTED-RATIONALE", "REDACTED-IN-THE-AUDIT-TABLE http://redacted.example/", Redacted: true);
    public Verdict Untouched { get; } = new("untouched", "dewiki", "de.wikipedia.org", "Fotosynthese", "spam", "public", "enforce", 0.66f, "A link to a homework service.", "Hausaufgaben erledigt: http://homework.example/");
    public Verdict NotFlagged { get; } = new("clean", "enwiki", "en.wikipedia.org", "Lisbon_Metro", "spam", "public", "enforce", 0.05f, "Nothing promotional.", "The metro has four lines.", Flagged: false);

    public IReadOnlyList<Verdict> All => [PublicSpam, Restricted, Shadow, HiddenOnWiki, JudgedByOthers, Redacted, Untouched, NotFlagged];

    /// <summary>The other reviewer whose judgement of <see cref="JudgedByOthers"/> is already stored.</summary>
    public const string OtherReviewer = "another-moderator";

    /// <summary>The last recorded eval run of spam: 9 of 12 flags right at the threshold (75%).</summary>
    public const string EvalDataset = "spam-moderators.jsonl";

    /// <summary>Makes every verdict's edit on the wiki (a page per title, then one edit per verdict, in order), hides
    /// <see cref="HiddenOnWiki"/>'s text on the wiki, and writes the verdicts, a judgement, eval runs and a valve.</summary>
    public static async Task<ReviewSeed> CreateAsync(MediaWikiServer wiki, NpgsqlDataSource owner, CancellationToken ct)
    {
        var seed = new ReviewSeed();
        var sessions = new Dictionary<string, MediaWikiApiSession>(StringComparer.Ordinal);
        try
        {
            var pages = new Dictionary<(string, string), string>();
            foreach (var v in seed.All)
            {
                if (!sessions.TryGetValue(v.Domain, out var bot))
                {
                    bot = sessions[v.Domain] = await MediaWikiApiSession.LoginBotAsync(wiki.ApiUrl(v.Domain), ct);
                }

                var title = v.PageTitle.Replace('_', ' ');
                if (!pages.TryGetValue((v.Domain, title), out var text))
                {
                    text = $"'''{title}''' is an article of the review tests.";
                    await bot.EditAsync(title, text, "create", ct);
                }

                text += "\n" + v.Added;
                v.MadeAs(await bot.EditAsync(title, text, "add a line", ct));
                pages[(v.Domain, title)] = text;
            }

            // MediaWiki hides no page's current revision: a later edit, then the sysop hides the verdict's text.
            var hidden = seed.HiddenOnWiki;
            await sessions[hidden.Domain].EditAsync(hidden.PageTitle.Replace('_', ' '), "A later, ordinary version.", "later", ct);
            using var sysop = await MediaWikiApiSession.LoginSysopAsync(wiki.ApiUrl(hidden.Domain), ct);
            await sysop.RevisionDeleteAsync(hidden.RevId, "content", suppress: false, "review tests: hidden on the wiki", ct);
        }
        finally
        {
            foreach (var session in sessions.Values)
            {
                session.Dispose();
            }
        }

        await seed.WriteAsync(owner, ct);
        return seed;
    }

    private async Task WriteAsync(NpgsqlDataSource owner, CancellationToken ct)
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

        // As `safeguard eval --record` and the tagger leave them: an older and the last run of spam, a restricted
        // policy's run (moderators must not see it), and spam's valve on enwiki open.
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into safeguard.eval_runs (policy_id, policy_version, visibility, model, dataset, simulated, started_at, recorded_at, records, errors,
                true_positives, false_positives, true_negatives, false_negatives)
            values ('spam', 1, 'public', 'openai/gpt-oss-safeguard-20b', 'older.jsonl', false, @now, @earlier, 10, 0, 1, 9, 0, 0),
                   ('spam', 1, 'public', 'openai/gpt-oss-safeguard-20b', @EvalDataset, false, @now, @now, 40, 0, 9, 3, 25, 3),
                   ('private-information', 1, 'restricted', 'openai/gpt-oss-safeguard-20b', 'RESTRICTED-EVAL.jsonl', false, @now, @now, 5, 0, 1, 0, 4, 0);
            insert into safeguard.tag_valves (wiki_id, policy_id, open, opened_at, reason, flagged_share, error_share, sample)
            values ('enwiki', 'spam', true, @now, 'flagged share 0.52 over 0.20 in the last 200 verdicts', 0.52, 0, 200);
            """, new { now, earlier = now.AddDays(-1), EvalDataset }, cancellationToken: ct));
    }
}
