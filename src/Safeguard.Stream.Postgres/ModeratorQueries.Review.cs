namespace Safeguard.Stream.Postgres;

/// <summary>
/// The review app's queue, item and judgements (migration 0007). What a connection sees is the database's decision:
/// over a <c>safeguard_moderator</c> login, the views and the feedback table's row policies hold back every restricted
/// verdict; over a <c>safeguard_restricted_reader</c> login they show it. Judging is blind here, not only in the page:
/// others' judgements come back only once the reviewer has given theirs.
/// </summary>
public sealed partial class ModeratorQueries
{
    private const string Votes = """
        votes as (
            select event_id,
                   count(*) filter (where verdict = 'correct') as correct,
                   count(*) filter (where verdict = 'incorrect') as incorrect,
                   count(*) as reviews,
                   coalesce(bool_or(reviewer = @reviewer), false) as mine
            from safeguard.feedback
            group by event_id)
        """;

    private const string Queue = "with " + Votes + """

        select i.event_id as Id, i.wiki_id as WikiId, i.rev_id as RevId, i.policy_id as PolicyId, i.policy_version as PolicyVersion,
               i.page_title as PageTitle, i.probability as Probability, i.category as Category, i.mode as Mode,
               i.visibility as Visibility, i.rev_dt as RevisionTime, i.classified_at as ClassifiedAt,
               coalesce(v.reviews, 0)::int as Reviews, coalesce(v.mine, false) as ReviewedByMe,
               case when v.mine then safeguard.review_label(v.correct, v.incorrect, @quorum) end as Label
        from safeguard.review_items i
        left join votes v on v.event_id = i.event_id
        where not i.redacted
          and (@wiki::text is null or i.wiki_id = @wiki)
          and (@policy::text is null or i.policy_id = @policy)
          and (@language::text is null or split_part(i.domain, '.', 1) = @language)
          and i.classified_at >= @since
          and (@minProbability::real is null or i.probability >= @minProbability)
          and (@mode::text is null or i.mode = @mode)
        order by coalesce(v.mine, false), safeguard.review_label(coalesce(v.correct, 0), coalesce(v.incorrect, 0), @quorum) is not null,
                 i.rev_dt desc nulls last, i.wiki_id, i.rev_id, i.policy_id
        limit @limit offset @offset
        """;

    private const string Item = """
        select event_id as Id, wiki_id as WikiId, rev_id as RevId, policy_id as PolicyId, policy_version as PolicyVersion,
               mode as Mode, visibility as Visibility, redacted as Redacted, domain as Domain, parent_rev_id as ParentRevId,
               page_title as PageTitle, namespace as Namespace, probability as Probability, category as Category,
               rationale as Rationale, rev_dt as RevisionTime, classified_at as ClassifiedAt
        from safeguard.review_items
        where wiki_id = @wikiId and rev_id = @revId and policy_id = @policyId
        order by policy_version desc
        limit 1
        """;

    // The reviewer's own judgement always; the others' only when the reviewer has given one.
    private const string Judgements = """
        select f.verdict as Verdict, f.note as Note, f.reviewer = @reviewer as Mine, f.created_at as CreatedAt
        from safeguard.feedback f
        where f.event_id = @eventId
          and (f.reviewer = @reviewer
               or exists (select from safeguard.feedback own where own.event_id = @eventId and own.reviewer = @reviewer))
        order by f.created_at, f.id
        """;

    private const string Consensus = """
        select safeguard.review_label(count(*) filter (where verdict = 'correct'), count(*) filter (where verdict = 'incorrect'), @quorum)
        from safeguard.feedback
        where event_id = @eventId
          and exists (select from safeguard.feedback own where own.event_id = @eventId and own.reviewer = @reviewer)
        """;

    private const string InsertJudgement = """
        insert into safeguard.feedback (event_id, verdict, note, reviewer) values (@eventId, @verdict, @note, @reviewer)
        on conflict (event_id, reviewer) where reviewer is not null do nothing
        returning id
        """;

    /// <summary>One page of flagged edits for <paramref name="reviewer"/>: those they have not judged first, then
    /// those without a standing label, newest edit first. The label shows only on rows the reviewer has judged.</summary>
    public async Task<IReadOnlyList<ReviewQueueItem>> ReviewQueueAsync(ReviewQueueQuery query, string reviewer, int quorum, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ReviewQueueItem>(new CommandDefinition(Queue, new
        {
            reviewer,
            quorum,
            wiki = query.Wiki,
            policy = query.Policy,
            language = query.Language,
            since = query.Since,
            minProbability = (float?)query.MinProbability,
            mode = query.Mode,
            limit = query.PageSize,
            offset = query.Page * query.PageSize,
        }, cancellationToken: cancellationToken));
        return [.. rows];
    }

    /// <summary>The newest policy version's verdict on this revision, as this connection may see it; null when none.</summary>
    public async Task<ReviewItem?> ReviewItemAsync(string wikiId, long revId, string policyId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ReviewItem>(new CommandDefinition(
            Item, new { wikiId, revId, policyId }, cancellationToken: cancellationToken));
    }

    /// <summary>Judgements of a verdict as <paramref name="reviewer"/> may see them (blind until they have judged).</summary>
    public async Task<IReadOnlyList<ReviewJudgement>> JudgementsAsync(Guid eventId, string reviewer, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ReviewJudgement>(new CommandDefinition(
            Judgements, new { eventId, reviewer }, cancellationToken: cancellationToken));
        return [.. rows];
    }

    /// <summary>The label that stands for this verdict at <paramref name="quorum"/>, once the reviewer has judged it; else null.</summary>
    public async Task<string?> ConsensusAsync(Guid eventId, string reviewer, int quorum, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            Consensus, new { eventId, reviewer, quorum }, cancellationToken: cancellationToken));
    }

    /// <summary>Records <paramref name="reviewer"/>'s judgement: once per reviewer and verdict; a verdict this
    /// connection may not see (unknown, or restricted over a moderator's login) is <see cref="JudgeOutcome.NotFound"/>.</summary>
    public async Task<JudgeOutcome> JudgeAsync(Guid eventId, string reviewer, string verdict, string? note, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reviewer);
        if (!ReviewVerdicts.All.Contains(verdict))
        {
            throw new ArgumentException($"a judgement is one of {string.Join(", ", ReviewVerdicts.All)}, not '{verdict}'", nameof(verdict));
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var id = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
                InsertJudgement, new { eventId, verdict, note = string.IsNullOrWhiteSpace(note) ? null : note.Trim(), reviewer },
                cancellationToken: cancellationToken));
            return id is null ? JudgeOutcome.AlreadyJudged : JudgeOutcome.Recorded;
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.ForeignKeyViolation or PostgresErrorCodes.InsufficientPrivilege)
        {
            return JudgeOutcome.NotFound;
        }
    }
}

/// <summary>The answers a reviewer can give.</summary>
public static class ReviewVerdicts
{
    public const string Correct = "correct";
    public const string Incorrect = "incorrect";
    public const string Unsure = "unsure";

    public static IReadOnlyList<string> All { get; } = [Correct, Incorrect, Unsure];
}

public enum JudgeOutcome
{
    Recorded,
    AlreadyJudged,
    NotFound,
}

/// <summary>Filters of <see cref="ModeratorQueries.ReviewQueueAsync"/>; null means any. <see cref="Mode"/> is
/// <c>enforce</c>, <c>shadow</c> (would-flags) or null for both; <see cref="Language"/> is the wiki's subdomain (en, de).</summary>
public sealed record ReviewQueueQuery(
    DateTimeOffset Since, int Page, int PageSize, string? Wiki = null, string? Policy = null, string? Language = null,
    double? MinProbability = null, string? Mode = "enforce");

public sealed record ReviewQueueItem(
    Guid Id, string WikiId, long RevId, string PolicyId, int PolicyVersion, string PageTitle, float? Probability, string? Category,
    string Mode, string Visibility, DateTime? RevisionTime, DateTime ClassifiedAt, int Reviews, bool ReviewedByMe, string? Label);

/// <summary>A verdict under review. When <see cref="Redacted"/>, the revision was hidden on the wiki and everything
/// but its ids is null.</summary>
public sealed record ReviewItem(
    Guid Id, string WikiId, long RevId, string PolicyId, int PolicyVersion, string Mode, string Visibility, bool Redacted,
    string? Domain, long? ParentRevId, string? PageTitle, int? Namespace, float? Probability, string? Category, string? Rationale,
    DateTime? RevisionTime, DateTime ClassifiedAt);

public sealed record ReviewJudgement(string Verdict, string? Note, bool Mine, DateTime CreatedAt);
