using System.Reflection;

namespace Safeguard.Stream.Postgres;

/// <summary>
/// Applies the embedded <c>Migrations/NNNN_name.sql</c> files in order, each in its own transaction, and records them
/// in <c>safeguard.schema_migrations</c>. An advisory lock keeps two pods from migrating at once.
/// </summary>
public sealed class DatabaseMigrator(NpgsqlDataSource dataSource)
{
    private const long AdvisoryLockKey = 0x5AFE_6A4D;

    public static IReadOnlyList<(string Name, string Sql)> Migrations()
    {
        var assembly = typeof(DatabaseMigrator).Assembly;
        return [.. assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("Migrations.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => (n["Migrations.".Length..^".sql".Length], Read(assembly, n)))];
    }

    /// <summary>Returns the names of the migrations applied by this call.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("select pg_advisory_lock(@key)", new { key = AdvisoryLockKey }, cancellationToken: cancellationToken));
        try
        {
            const string bootstrap = """
                create schema if not exists safeguard;
                create table if not exists safeguard.schema_migrations (
                    name text primary key,
                    applied_at timestamptz not null default now());
                """;
            await connection.ExecuteAsync(new CommandDefinition(bootstrap, cancellationToken: cancellationToken));
            var applied = (await connection.QueryAsync<string>(new CommandDefinition(
                "select name from safeguard.schema_migrations", cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);

            var done = new List<string>();
            foreach (var (name, sql) in Migrations())
            {
                if (applied.Contains(name))
                {
                    continue;
                }

                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await connection.ExecuteAsync(new CommandDefinition(sql, transaction: transaction, cancellationToken: cancellationToken));
                await connection.ExecuteAsync(new CommandDefinition(
                    "insert into safeguard.schema_migrations (name) values (@name)", new { name }, transaction, cancellationToken: cancellationToken));
                await transaction.CommitAsync(cancellationToken);
                done.Add(name);
            }

            return done;
        }
        finally
        {
            await connection.ExecuteAsync(new CommandDefinition("select pg_advisory_unlock(@key)", new { key = AdvisoryLockKey }, cancellationToken: CancellationToken.None));
        }
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
