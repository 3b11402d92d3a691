using Dapper;

namespace Safeguard.Stream.Postgres.Tests;

[Collection(PostgresDefinition.Name)]
public sealed class DatabaseMigratorTests(PostgresClusterFixture postgres)
{
    [Fact]
    public void Migrations_AreEmbeddedInNameOrder()
    {
        var migrations = DatabaseMigrator.Migrations();

        Assert.NotEmpty(migrations);
        Assert.Equal("0001_initial", migrations[0].Name);
        Assert.Equal(migrations.Select(m => m.Name).Order(StringComparer.Ordinal), migrations.Select(m => m.Name));
        Assert.All(migrations, m => Assert.Contains("safeguard.", m.Sql, StringComparison.Ordinal));
    }

    [Fact]
    public async Task MigrateAsync_OverA0001DatabaseWithRows_MovesThemIntoPartitionsAndKeepsFeedback()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var dataSource = await postgres.CreateDatabaseAsync(ct);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        // A database as 0001 left it, in use: one verdict without rev_dt, one with, and feedback on the first.
        var initial = DatabaseMigrator.Migrations()[0];
        await connection.ExecuteAsync(new CommandDefinition(initial.Sql, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition("""
            create table safeguard.schema_migrations (name text primary key, applied_at timestamptz not null default now());
            insert into safeguard.schema_migrations (name) values ('0001_initial');
            insert into safeguard.classifications (wiki_id, rev_id, policy_id, policy_version, event_id, domain, page_title, namespace,
                rev_dt, status, flagged, mode, visibility, model, reasoning_effort, latency_ms, classified_at)
            values ('enwiki', 1, 'spam', 1, '11111111-1111-5111-8111-111111111111', 'en.wikipedia.org', 'A', 0, null, 'ok', true, 'enforce', 'public', 'm', 'low', 5, '2026-02-03Z'),
                   ('enwiki', 2, 'spam', 1, '22222222-2222-5222-8222-222222222222', 'en.wikipedia.org', 'B', 0, '2025-12-24Z', 'ok', false, 'enforce', 'public', 'm', 'low', 5, '2026-02-03Z');
            insert into safeguard.feedback (wiki_id, rev_id, policy_id, policy_version, verdict) values ('enwiki', 1, 'spam', 1, 'correct');
            """, cancellationToken: ct));

        var applied = await new DatabaseMigrator(dataSource).MigrateAsync(ct);

        Assert.Equal(DatabaseMigrator.Migrations().Skip(1).Select(m => m.Name), applied);
        var rows = (await connection.QueryAsync<(long RevId, string Partition)>(new CommandDefinition(
            "select rev_id, tableoid::regclass::text from safeguard.classifications order by rev_id", cancellationToken: ct))).ToList();
        Assert.Equal([(1L, "safeguard.classifications_y2026m02"), (2L, "safeguard.classifications_y2025m12")], rows);
        Assert.Equal(Guid.Parse("11111111-1111-5111-8111-111111111111"), await connection.QuerySingleAsync<Guid>(new CommandDefinition(
            "select event_id from safeguard.feedback", cancellationToken: ct)));
        Assert.Equal(1, await connection.QuerySingleAsync<long>(new CommandDefinition("select count(*) from safeguard.flagged_edits", cancellationToken: ct)));
    }
}
