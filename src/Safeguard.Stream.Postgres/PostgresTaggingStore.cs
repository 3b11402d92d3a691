using Safeguard.Stream.Core.Tagging;

namespace Safeguard.Stream.Postgres;

/// <summary>
/// The tagger's valves and held verdicts in <c>safeguard.tag_valves</c> and <c>safeguard.tag_pending</c> (migration
/// 0006), and the valves' windows in <c>safeguard.tag_window</c> (0010).
/// </summary>
public sealed class PostgresTaggingStore(NpgsqlDataSource dataSource) : ITaggingStore
{
    public async Task<bool> OpenValveAsync(ValveTrip trip, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trip);
        // Only closed → open (or none → open): a valve already open keeps its first opening, whoever trips it again.
        const string sql = """
            insert into safeguard.tag_valves (wiki_id, policy_id, open, opened_at, reason, flagged_share, error_share, sample)
            values (@WikiId, @PolicyId, true, now(), @Reason, @FlaggedShare, @ErrorShare, @Sample)
            on conflict (wiki_id, policy_id) do update
                set open = true, opened_at = excluded.opened_at, reason = excluded.reason, flagged_share = excluded.flagged_share,
                    error_share = excluded.error_share, sample = excluded.sample
                where not safeguard.tag_valves.open
            returning 1
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var moved = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(sql, new
        {
            trip.WikiId,
            trip.PolicyId,
            trip.Reason,
            FlaggedShare = (float)trip.FlaggedShare,
            ErrorShare = (float)trip.ErrorShare,
            trip.Sample,
        }, cancellationToken: cancellationToken));
        return moved == 1;
    }

    public async Task<bool> IsValveOpenAsync(string wikiId, string policyId, CancellationToken cancellationToken)
    {
        const string sql = "select open from safeguard.tag_valves where wiki_id = @wikiId and policy_id = @policyId";
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool?>(new CommandDefinition(sql, new { wikiId, policyId }, cancellationToken: cancellationToken)) == true;
    }

    public async Task<IReadOnlyList<ValveState>> ListValvesAsync(CancellationToken cancellationToken)
    {
        const string sql = """
            select v.wiki_id as WikiId, v.policy_id as PolicyId, v.open as Open, v.opened_at as OpenedAt, v.reason as Reason,
                   v.reset_at as ResetAt, v.reset_by as ResetBy,
                   (select count(*) from safeguard.tag_pending p
                    where p.wiki_id = v.wiki_id and p.policy_id = v.policy_id and p.held_for = 'valve_open') as Held
            from safeguard.tag_valves v
            order by v.open desc, v.wiki_id, v.policy_id
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ValveRow>(new CommandDefinition(sql, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new ValveState(r.WikiId, r.PolicyId, r.Open, r.OpenedAt, r.Reason, r.ResetAt, r.ResetBy, r.Held))];
    }

    public async Task<WindowCounts> RecordInWindowAsync(ValveVerdict verdict, int size, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        // Add, then drop what fell out by age or by count, then count: three statements in one transaction, because a
        // statement does not see the rows its own data-modifying CTEs wrote.
        const string add = """
            insert into safeguard.tag_window (wiki_id, policy_id, rev_id, flagged, error, at)
            values (@WikiId, @PolicyId, @RevId, @Flagged, @Error, @At)
            on conflict (wiki_id, policy_id, rev_id) do nothing
            """;
        const string prune = """
            delete from safeguard.tag_window w
            where w.wiki_id = @WikiId and w.policy_id = @PolicyId
              and (w.at < @Since
                   or (w.at, w.rev_id) < any (select k.at, k.rev_id from safeguard.tag_window k
                                              where k.wiki_id = @WikiId and k.policy_id = @PolicyId
                                              order by k.at desc, k.rev_id desc offset @Size - 1 limit 1))
            """;
        const string count = """
            select count(*)::int as Sample, (count(*) filter (where flagged))::int as Flagged, (count(*) filter (where error))::int as Errors
            from safeguard.tag_window where wiki_id = @WikiId and policy_id = @PolicyId and at >= @Since
            """;
        var parameters = new { verdict.WikiId, verdict.PolicyId, verdict.RevId, verdict.Flagged, verdict.Error, verdict.At, Since = verdict.At - duration, Size = size };
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(add, parameters, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(prune, parameters, transaction, cancellationToken: cancellationToken));
        var counts = await connection.QuerySingleAsync<CountRow>(new CommandDefinition(count, parameters, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return new WindowCounts(counts.Sample, counts.Flagged, counts.Errors);
    }

    public async Task<bool> ResetValveAsync(string wikiId, string policyId, string resetBy, CancellationToken cancellationToken)
    {
        const string reset = """
            update safeguard.tag_valves set open = false, reset_at = now(), reset_by = @resetBy
            where wiki_id = @wikiId and policy_id = @policyId and open
            """;
        const string empty = "delete from safeguard.tag_window where wiki_id = @wikiId and policy_id = @policyId";
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var closed = await connection.ExecuteAsync(new CommandDefinition(reset, new { wikiId, policyId, resetBy }, transaction, cancellationToken: cancellationToken)) == 1;
        if (closed)
        {
            await connection.ExecuteAsync(new CommandDefinition(empty, new { wikiId, policyId }, transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return closed;
    }

    public async Task HoldAsync(HeldTag held, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(held);
        // A verdict held again (a restart re-reading it, a retry still blocked) keeps its first row, with the latest reason.
        const string sql = """
            insert into safeguard.tag_pending (wiki_id, rev_id, policy_id, policy_version, domain, tag, held_for, detail)
            values (@WikiId, @RevId, @PolicyId, @PolicyVersion, @Domain, @Tag, @HeldFor, @Detail)
            on conflict (wiki_id, rev_id, policy_id) do update set held_for = excluded.held_for, detail = excluded.detail
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(sql, held, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<HeldTag>> ListHeldAsync(string heldFor, int limit, CancellationToken cancellationToken)
    {
        const string sql = """
            select wiki_id as WikiId, domain as Domain, rev_id as RevId, policy_id as PolicyId, policy_version as PolicyVersion,
                   tag as Tag, held_for as HeldFor, detail as Detail
            from safeguard.tag_pending where held_for = @heldFor order by held_at, wiki_id, rev_id limit @limit
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<HeldRow>(new CommandDefinition(sql, new { heldFor, limit }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new HeldTag(r.WikiId, r.Domain, r.RevId, r.PolicyId, r.PolicyVersion, r.Tag, r.HeldFor, r.Detail))];
    }

    public async Task ReleaseAsync(HeldTag held, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(held);
        const string sql = "delete from safeguard.tag_pending where wiki_id = @WikiId and rev_id = @RevId and policy_id = @PolicyId";
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(sql, held, cancellationToken: cancellationToken));
    }

    private sealed record ValveRow(string WikiId, string PolicyId, bool Open, DateTime OpenedAt, string Reason, DateTime? ResetAt, string? ResetBy, long Held);

    private sealed record CountRow(int Sample, int Flagged, int Errors);

    private sealed record HeldRow(string WikiId, string Domain, long RevId, string PolicyId, int PolicyVersion, string Tag, string HeldFor, string? Detail);
}
