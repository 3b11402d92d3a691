using System.Collections.Concurrent;

namespace Safeguard.Stream.Postgres;

/// <summary>
/// The monthly partitions of <c>safeguard.classifications</c>, ranged on <c>rev_dt</c>: created on demand before a
/// write (through the owner's <c>ensure_classifications_partition</c>, so the writer role needs no DDL rights) and
/// dropped by retention. Knows which months exist already, so a steady stream costs no extra round trip.
/// </summary>
public sealed class ClassificationPartitions(NpgsqlDataSource dataSource)
{
    private const string Ensure = "select safeguard.ensure_classifications_partition(@month)";
    private const string DropBefore = "select safeguard.drop_classifications_partitions_before(@keepFrom)";
    private const string DeleteDeadLetters = "delete from safeguard.dead_letters where created_at < @keepFrom";
    private const string List = """
        select c.relname
        from pg_inherits i join pg_class c on c.oid = i.inhrelid
        where i.inhparent = 'safeguard.classifications'::regclass
        order by c.relname
        """;

    private readonly ConcurrentDictionary<DateTimeOffset, bool> _known = new();

    /// <summary>The partition key of a verdict about <paramref name="edit"/>: when the revision was saved (the event's time when the source had none).</summary>
    public static DateTimeOffset PartitionTime(EditEvent edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        return edit.SavedAt();
    }

    /// <summary>The first instant (UTC) of the month holding <paramref name="time"/>.</summary>
    public static DateTimeOffset MonthStart(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
    }

    /// <summary>
    /// Rows of months that end at or before this instant are dropped: the start of the current UTC month minus
    /// <paramref name="retentionMonths"/> months. Null when retention is off (0).
    /// </summary>
    public static DateTimeOffset? RetentionCutoff(DateTimeOffset now, int retentionMonths)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(retentionMonths);
        return retentionMonths == 0 ? null : MonthStart(now).AddMonths(-retentionMonths);
    }

    /// <summary>Creates the partitions of the given months that this process has not seen yet.</summary>
    public async Task EnsureAsync(NpgsqlConnection connection, IEnumerable<DateTimeOffset> times, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(times);
        foreach (var month in times.Select(MonthStart).Distinct())
        {
            if (_known.ContainsKey(month))
            {
                continue;
            }

            await connection.ExecuteScalarAsync<string>(new CommandDefinition(Ensure, new { month }, cancellationToken: cancellationToken));
            _known[month] = true;
        }
    }

    /// <summary>Forgets which partitions exist (after a write found one missing: someone pruned it).</summary>
    public void Forget() => _known.Clear();

    /// <summary>Creates the current month's partition and <paramref name="monthsAhead"/> more.</summary>
    public async Task<IReadOnlyList<string>> CreateAheadAsync(DateTimeOffset now, int monthsAhead, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(monthsAhead);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var names = new List<string>();
        for (var i = 0; i <= monthsAhead; i++)
        {
            var month = MonthStart(now).AddMonths(i);
            names.Add((await connection.ExecuteScalarAsync<string>(new CommandDefinition(Ensure, new { month }, cancellationToken: cancellationToken)))!);
            _known[month] = true;
        }

        return names;
    }

    /// <summary>Drops the partitions wholly before <paramref name="keepFrom"/> and the dead letters recorded before it.</summary>
    public async Task<PruneResult> PruneAsync(DateTimeOffset keepFrom, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var dropped = (await connection.QueryAsync<string>(new CommandDefinition(DropBefore, new { keepFrom }, transaction, cancellationToken: cancellationToken))).ToList();
        var deadLetters = await connection.ExecuteAsync(new CommandDefinition(DeleteDeadLetters, new { keepFrom }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        Forget();
        return new PruneResult(dropped, deadLetters);
    }

    /// <summary>The partitions that exist, by name (<c>classifications_yYYYYmMM</c>), oldest first.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. await connection.QueryAsync<string>(new CommandDefinition(List, cancellationToken: cancellationToken))];
    }
}

/// <summary>What <see cref="ClassificationPartitions.PruneAsync"/> removed.</summary>
public sealed record PruneResult(IReadOnlyList<string> DroppedPartitions, int DeletedDeadLetters);
