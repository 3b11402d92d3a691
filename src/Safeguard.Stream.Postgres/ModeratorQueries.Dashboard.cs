namespace Safeguard.Stream.Postgres;

/// <summary>The policy dashboard's numbers, from <c>safeguard.verdict_facts</c> (no content) and the consensus labels,
/// each limited by the connection's role like the queue.</summary>
public sealed partial class ModeratorQueries
{
    private const string Summary = """
        select policy_id as PolicyId, wiki_id as WikiId, mode as Mode,
               count(*)::int as Verdicts,
               (count(*) filter (where flagged))::int as Flagged,
               (count(*) filter (where status = 'error'))::int as Errors,
               percentile_cont(0.5) within group (order by latency_ms) as LatencyP50Ms,
               percentile_cont(0.95) within group (order by latency_ms) as LatencyP95Ms
        from safeguard.verdict_facts
        where classified_at >= @since and (@wiki::text is null or wiki_id = @wiki) and (@policy::text is null or policy_id = @policy)
        group by policy_id, wiki_id, mode
        order by policy_id, wiki_id, mode
        """;

    private const string Daily = """
        select policy_id as PolicyId, wiki_id as WikiId, (classified_at at time zone 'UTC')::date::timestamp as Day,
               count(*)::int as Verdicts, (count(*) filter (where flagged))::int as Flagged
        from safeguard.verdict_facts
        where classified_at >= @since and (@wiki::text is null or wiki_id = @wiki) and (@policy::text is null or policy_id = @policy)
        group by policy_id, wiki_id, Day
        order by policy_id, wiki_id, Day
        """;

    private const string Labels = "with " + Votes + """
        ,
        labels as (select event_id, safeguard.review_label(correct, incorrect, @quorum) as label from votes)
        select f.policy_id as PolicyId, f.wiki_id as WikiId, f.mode as Mode,
               (count(*) filter (where l.label = 'correct'))::int as Correct,
               (count(*) filter (where l.label = 'incorrect'))::int as Incorrect
        from safeguard.verdict_facts f
        join labels l on l.event_id = f.event_id
        where f.flagged and f.classified_at >= @since
          and (@wiki::text is null or f.wiki_id = @wiki) and (@policy::text is null or f.policy_id = @policy)
        group by f.policy_id, f.wiki_id, f.mode
        """;

    private const string LastEvals = """
        select policy_id as PolicyId, policy_version as PolicyVersion, model as Model, dataset as Dataset, simulated as Simulated,
               recorded_at as RecordedAt, records as Records, true_positives as TruePositives, false_positives as FalsePositives
        from safeguard.last_eval_runs
        where (@policy::text is null or policy_id = @policy)
        """;

    private const string Valves = """
        select wiki_id as WikiId, policy_id as PolicyId, open as Open, opened_at as OpenedAt, reason as Reason, reset_at as ResetAt, reset_by as ResetBy
        from safeguard.valve_states
        where (@wiki::text is null or wiki_id = @wiki) and (@policy::text is null or policy_id = @policy)
        """;

    /// <summary>Per policy, wiki and mode since <paramref name="since"/>: verdicts, flags, latency percentiles, daily
    /// counts and the labels that stand at <paramref name="quorum"/> (for precision); each policy's last recorded eval run
    /// (<c>safeguard eval --record</c>) and the tagger's safety valves (migrations 0008, 0006).</summary>
    public async Task<PolicyDashboard> PolicyDashboardAsync(DateTimeOffset since, int quorum, string? wiki, string? policy, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var args = new { since, quorum, wiki, policy, reviewer = (string?)null };
        var summary = await connection.QueryAsync<PolicySummary>(new CommandDefinition(Summary, args, cancellationToken: cancellationToken));
        var daily = await connection.QueryAsync<PolicyDay>(new CommandDefinition(Daily, args, cancellationToken: cancellationToken));
        var labels = await connection.QueryAsync<PolicyLabels>(new CommandDefinition(Labels, args, cancellationToken: cancellationToken));
        var evals = await connection.QueryAsync<LastEval>(new CommandDefinition(LastEvals, args, cancellationToken: cancellationToken));
        var valves = await connection.QueryAsync<DashboardValve>(new CommandDefinition(Valves, args, cancellationToken: cancellationToken));
        return new PolicyDashboard([.. summary], [.. daily], [.. labels]) { LastEvals = [.. evals], Valves = [.. valves] };
    }
}

public sealed record PolicyDashboard(IReadOnlyList<PolicySummary> Summaries, IReadOnlyList<PolicyDay> Days, IReadOnlyList<PolicyLabels> Labels)
{
    public IReadOnlyList<LastEval> LastEvals { get; init; } = [];

    public IReadOnlyList<DashboardValve> Valves { get; init; } = [];
}

/// <summary>A policy's newest recorded eval run: its flags at the policy's threshold, true and false positives.</summary>
public sealed record LastEval(
    string PolicyId, int PolicyVersion, string Model, string Dataset, bool Simulated, DateTime RecordedAt, int Records, int TruePositives, int FalsePositives);

/// <summary>The tagger's safety valve of a (wiki, policy) pair: open (tagging stopped) or closed, and why.</summary>
public sealed record DashboardValve(string WikiId, string PolicyId, bool Open, DateTime OpenedAt, string Reason, DateTime? ResetAt, string? ResetBy);

public sealed record PolicySummary(string PolicyId, string WikiId, string Mode, int Verdicts, int Flagged, int Errors, double? LatencyP50Ms, double? LatencyP95Ms);

public sealed record PolicyDay(string PolicyId, string WikiId, DateTime Day, int Verdicts, int Flagged);

/// <summary>Flagged verdicts whose consensus label stands: <see cref="Correct"/> ones are true positives.</summary>
public sealed record PolicyLabels(string PolicyId, string WikiId, string Mode, int Correct, int Incorrect);
