using Dapper;
using Npgsql;
using Safeguard.Stream.IntegrationTests.Infrastructure;
using Safeguard.Stream.Postgres;

namespace Safeguard.Stream.IntegrationTests.Postgres;

[Collection(LocalServicesDefinition.Name)]
public sealed class DatabaseMigratorTests(LocalServicesFixture services)
{
    [Fact]
    public async Task MigrateAsync_Twice_AppliesEachMigrationOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var environment = await services.CreateEnvironmentAsync("migrate", ct);
        await using var dataSource = NpgsqlDataSource.Create(environment.ConnectionString);
        var migrator = new DatabaseMigrator(dataSource);

        var first = await migrator.MigrateAsync(ct);
        var second = await migrator.MigrateAsync(ct);

        Assert.Equal(DatabaseMigrator.Migrations().Select(m => m.Name), first);
        Assert.Empty(second);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var tables = (await connection.QueryAsync<string>(
            "select table_name from information_schema.tables where table_schema = 'safeguard' order by 1")).ToList();
        Assert.Contains("classifications", tables);
        Assert.Contains("dead_letters", tables);
        Assert.Contains("checkpoints", tables);
        Assert.Contains("feedback", tables);
        Assert.Contains("flagged_edits", tables);
    }
}
