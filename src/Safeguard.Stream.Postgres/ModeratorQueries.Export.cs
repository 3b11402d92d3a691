namespace Safeguard.Stream.Postgres;

/// <summary>What <c>safeguard feedback export</c> reads: every reviewed verdict of a policy with the label that stands.</summary>
public sealed partial class ModeratorQueries
{
    // One row per revision: the newest policy version whose label stands, else the newest reviewed one (no consensus).
    private const string Reviewed = """
        with votes as (
            select event_id,
                   count(*) filter (where verdict = 'correct') as correct,
                   count(*) filter (where verdict = 'incorrect') as incorrect,
                   count(*) as reviews
            from safeguard.feedback
            group by event_id)
        select distinct on (i.wiki_id, i.rev_id)
               i.event_id as Id, i.wiki_id as WikiId, i.rev_id as RevId, i.policy_id as PolicyId, i.policy_version as PolicyVersion,
               i.mode as Mode, i.visibility as Visibility, i.redacted as Redacted, i.domain as Domain, i.parent_rev_id as ParentRevId,
               i.page_title as PageTitle, i.namespace as Namespace, i.probability as Probability, i.category as Category,
               i.classified_at as ClassifiedAt, v.reviews::int as Reviews, v.correct::int as Correct, v.incorrect::int as Incorrect,
               safeguard.review_label(v.correct, v.incorrect, @quorum) as Label
        from safeguard.review_items i
        join votes v on v.event_id = i.event_id
        where i.policy_id = @policy and (@wiki::text is null or i.wiki_id = @wiki)
        order by i.wiki_id, i.rev_id, safeguard.review_label(v.correct, v.incorrect, @quorum) is null, i.policy_version desc
        """;

    /// <summary>
    /// Every flagged verdict (flags and shadow would-flags) of <paramref name="policyId"/> that has at least one review,
    /// one per revision, with the label that stands at <paramref name="quorum"/> (<c>safeguard.review_label</c>; null
    /// when none does). As the connection may see them: a restricted policy's only over a restricted reader's login.
    /// </summary>
    public async Task<IReadOnlyList<ReviewedVerdict>> ReviewedVerdictsAsync(string policyId, string? wikiId, int quorum, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(policyId);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ReviewedVerdict>(new CommandDefinition(
            Reviewed, new { policy = policyId, wiki = wikiId, quorum }, cancellationToken: cancellationToken));
        return [.. rows];
    }
}

/// <summary>A reviewed verdict and its votes; <see cref="Label"/> is the standing label (<c>correct</c>,
/// <c>incorrect</c>) or null. When <see cref="Redacted"/>, everything about the edit but its ids is null.</summary>
public sealed record ReviewedVerdict(
    Guid Id, string WikiId, long RevId, string PolicyId, int PolicyVersion, string Mode, string Visibility, bool Redacted,
    string? Domain, long? ParentRevId, string? PageTitle, int? Namespace, float? Probability, string? Category, DateTime ClassifiedAt,
    int Reviews, int Correct, int Incorrect, string? Label)
{
    /// <summary>The verdict as the item page reads it (no rationale: an export never needs it).</summary>
    public ReviewItem ToItem() => new(
        Id, WikiId, RevId, PolicyId, PolicyVersion, Mode, Visibility, Redacted, Domain, ParentRevId, PageTitle, Namespace,
        Probability, Category, null, null, ClassifiedAt);
}
