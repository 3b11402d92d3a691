using Dapper;
using static Safeguard.Stream.Postgres.Tests.TestResults;

namespace Safeguard.Stream.Postgres.Tests;

[Collection(PostgresDefinition.Name)]
public sealed class ClassificationPartitionsTests(PostgresClusterFixture postgres)
{
    [Theory]
    [InlineData("2026-11-20T12:00:00Z", 13, "2025-10-01T00:00:00Z")]
    [InlineData("2026-01-01T00:00:00Z", 1, "2025-12-01T00:00:00Z")]
    [InlineData("2026-03-31T23:59:59-05:00", 2, "2026-02-01T00:00:00Z")] // 04:59 UTC on April 1st
    public void RetentionCutoff_KeepsTheCurrentMonthAndThatManyBefore(string now, int months, string expected)
    {
        var cutoff = ClassificationPartitions.RetentionCutoff(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture), months);

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), cutoff);
    }

    [Fact]
    public void RetentionCutoff_Zero_KeepsEverything()
    {
        Assert.Null(ClassificationPartitions.RetentionCutoff(Now, 0));
    }

    [Fact]
    public async Task PruneAsync_DropsOnlyMonthsBeforeTheCutoffAndOldDeadLetters()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var dataSource = await postgres.CreateMigratedDatabaseAsync(ct);
        var sut = new ClassificationPartitions(dataSource);
        await Sink(dataSource).WriteAsync(
        [
            Classified(1, Edit(1, new DateTimeOffset(2025, 9, 30, 23, 0, 0, TimeSpan.Zero)), Verdict("spam")),
            Classified(2, Edit(2, new DateTimeOffset(2025, 10, 1, 0, 0, 0, TimeSpan.Zero)), Verdict("spam")),
            Classified(3, Edit(3, new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero)), Verdict("spam")),
        ], ct);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into safeguard.dead_letters (source, item_key, reason, detail, created_at)
            values ('test', 'old', 'malformed_json', 'x', '2025-09-01Z'), ('test', 'new', 'malformed_json', 'x', '2026-11-01Z')
            """, cancellationToken: ct));

        var result = await sut.PruneAsync(ClassificationPartitions.RetentionCutoff(Now, 13)!.Value, ct);

        Assert.Equal(["classifications_y2025m09"], result.DroppedPartitions);
        Assert.Equal(1, result.DeletedDeadLetters);
        Assert.Equal([2L, 3L], await connection.QueryAsync<long>(new CommandDefinition("select rev_id from safeguard.classifications order by 1", cancellationToken: ct)));
        Assert.Equal(["new"], await connection.QueryAsync<string>(new CommandDefinition("select item_key from safeguard.dead_letters", cancellationToken: ct)));
        Assert.DoesNotContain("classifications_y2025m09", await sut.ListAsync(ct));
    }

    [Fact]
    public async Task CreateAheadAsync_CreatesThisMonthAndTheNextOnes_Idempotently()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var dataSource = await postgres.CreateMigratedDatabaseAsync(ct);
        var sut = new ClassificationPartitions(dataSource);

        await sut.CreateAheadAsync(new DateTimeOffset(2030, 12, 5, 0, 0, 0, TimeSpan.Zero), 2, ct);
        var created = await sut.CreateAheadAsync(new DateTimeOffset(2030, 12, 5, 0, 0, 0, TimeSpan.Zero), 2, ct);

        Assert.Equal(["classifications_y2030m12", "classifications_y2031m01", "classifications_y2031m02"], created);
        var all = await sut.ListAsync(ct);
        Assert.Subset(all.ToHashSet(), created.ToHashSet());
    }
}
