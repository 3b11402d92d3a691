namespace Safeguard.Stream.Postgres;

/// <summary>
/// One <c>safeguard eval --record</c> run of one policy (migration 0008): who was measured on what, and the confusion
/// counts at the policy's own threshold, from which the dashboard computes precision and its interval.
/// </summary>
public sealed record EvalRun(
    string PolicyId, int PolicyVersion, string Visibility, string Model, string Dataset, bool Simulated, DateTimeOffset StartedAt,
    int Records, int Errors, int TruePositives, int FalsePositives, int TrueNegatives, int FalseNegatives);

/// <summary>Keeps eval runs in <c>safeguard.eval_runs</c>, for the review app's dashboard (<c>safeguard.last_eval_runs</c>).</summary>
public sealed class EvalRunStore(NpgsqlDataSource dataSource)
{
    private const string Insert = """
        insert into safeguard.eval_runs (policy_id, policy_version, visibility, model, dataset, simulated, started_at, records, errors,
            true_positives, false_positives, true_negatives, false_negatives)
        values (@PolicyId, @PolicyVersion, @Visibility, @Model, @Dataset, @Simulated, @StartedAt, @Records, @Errors,
            @TruePositives, @FalsePositives, @TrueNegatives, @FalseNegatives)
        returning id
        """;

    /// <summary>Stores the run and returns its id.</summary>
    public async Task<long> RecordAsync(EvalRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(Insert, run, cancellationToken: cancellationToken));
    }
}
