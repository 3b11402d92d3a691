namespace Safeguard.Stream.Postgres;

/// <summary>What moderators ask of the audit tables, for the CLI (<c>safeguard flagged</c>, <c>safeguard feedback</c>)
/// and the review app alike. Everything goes through the <c>safeguard.flagged_edits</c> view and the feedback table,
/// the two things the <c>safeguard_moderator</c> role may touch.</summary>
public sealed partial class ModeratorQueries(NpgsqlDataSource dataSource)
{
    private const string Flagged = """
        select event_id as Id, wiki_id as WikiId, rev_id as RevId, policy_id as PolicyId, policy_version as PolicyVersion,
               page_title as PageTitle, probability as Probability, category as Category, rationale as Rationale, mode as Mode,
               rev_dt as RevisionTime, classified_at as ClassifiedAt, diff_url as DiffUrl
        from safeguard.flagged_edits
        where (@wiki::text is null or wiki_id = @wiki)
          and (@policy::text is null or policy_id = @policy)
          and classified_at >= @since
          and (@minProbability::real is null or probability >= @minProbability)
        order by rev_dt desc, classified_at desc, wiki_id, rev_id, policy_id
        limit @limit
        """;

    private const string InsertFeedback = """
        insert into safeguard.feedback (event_id, verdict, note) values (@eventId, @verdict, @note)
        returning id as Id, wiki_id as WikiId, rev_id as RevId, policy_id as PolicyId, policy_version as PolicyVersion, moderator as Moderator
        """;

    /// <summary>Edits flagged (enforce mode) and classified since <see cref="FlaggedEditQuery.Since"/>, newest edit first.</summary>
    public async Task<IReadOnlyList<FlaggedEdit>> FlaggedEditsAsync(FlaggedEditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<FlaggedEdit>(new CommandDefinition(Flagged, new
        {
            wiki = query.Wiki,
            policy = query.Policy,
            since = query.Since,
            minProbability = (float?)query.MinProbability,
            limit = query.Limit,
        }, cancellationToken: cancellationToken));
        return [.. rows];
    }

    /// <summary>
    /// Records a moderator's judgement of the verdict with this event id (the Kafka <c>meta.id</c>). The database fills
    /// in which verdict it is and the moderator (the connecting role). Null when no classification has that id.
    /// </summary>
    public async Task<StoredFeedback?> RecordFeedbackAsync(Guid eventId, string verdict, string? note, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            return await connection.QuerySingleAsync<StoredFeedback>(new CommandDefinition(
                InsertFeedback, new { eventId, verdict, note }, cancellationToken: cancellationToken));
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return null;
        }
    }
}

/// <summary>Filters of <see cref="ModeratorQueries.FlaggedEditsAsync"/>; null means any.</summary>
public sealed record FlaggedEditQuery(DateTimeOffset Since, int Limit, string? Wiki = null, string? Policy = null, double? MinProbability = null);

/// <summary>A row of <c>safeguard.flagged_edits</c>; <see cref="Rationale"/> is null for restricted policies.</summary>
public sealed record FlaggedEdit(
    Guid Id, string WikiId, long RevId, string PolicyId, int PolicyVersion, string PageTitle, float? Probability, string? Category,
    string? Rationale, string Mode, DateTime RevisionTime, DateTime ClassifiedAt, string DiffUrl);

/// <summary>A feedback row as stored: which verdict it judged and who the moderator was.</summary>
public sealed record StoredFeedback(long Id, string WikiId, long RevId, string PolicyId, int PolicyVersion, string Moderator);
