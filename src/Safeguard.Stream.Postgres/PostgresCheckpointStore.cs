namespace Safeguard.Stream.Postgres;

/// <summary>Resume positions and skip counters in <c>safeguard.checkpoints</c> and <c>safeguard.skip_counts</c>.</summary>
public sealed class PostgresCheckpointStore(NpgsqlDataSource dataSource, TimeProvider timeProvider) : ICheckpointStore
{
    private const string DurableCommit = "set local synchronous_commit to on";

    public async Task<string?> LoadAsync(string sourceName, CancellationToken cancellationToken)
    {
        const string sql = "select position from safeguard.checkpoints where source = @sourceName";
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(sql, new { sourceName }, cancellationToken: cancellationToken));
    }

    public async Task CommitAsync(
        IReadOnlyDictionary<string, string> positions,
        IReadOnlyDictionary<(string Source, string Reason), long> skips,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(skips);
        if (positions.Count == 0 && skips.Count == 0)
        {
            return;
        }

        const string savePosition = """
            insert into safeguard.checkpoints (source, position, updated_at) values (@source, @position, now())
            on conflict (source) do update set position = excluded.position, updated_at = excluded.updated_at
            """;
        const string countSkips = """
            insert into safeguard.skip_counts (source, reason, day, count)
            select * from unnest(@sources::text[], @reasons::text[], @days::date[], @counts::bigint[])
            on conflict (source, reason, day) do update set count = safeguard.skip_counts.count + excluded.count
            """;

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // The checkpoint moves past these events once this returns, so the commit must be durable whatever the
        // server's default: with synchronous_commit off a server crash loses acknowledged commits (found by chaos).
        await connection.ExecuteAsync(new CommandDefinition(DurableCommit, transaction: transaction, cancellationToken: cancellationToken));
        foreach (var (source, position) in positions)
        {
            await connection.ExecuteAsync(new CommandDefinition(savePosition, new { source, position }, transaction, cancellationToken: cancellationToken));
        }

        if (skips.Count > 0)
        {
            var today = DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);
            await connection.ExecuteAsync(new CommandDefinition(countSkips, new
            {
                sources = skips.Keys.Select(k => k.Source).ToArray(),
                reasons = skips.Keys.Select(k => k.Reason).ToArray(),
                days = skips.Keys.Select(_ => today).ToArray(),
                counts = skips.Values.ToArray(),
            }, transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
