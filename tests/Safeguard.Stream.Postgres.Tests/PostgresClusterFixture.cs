using Npgsql;
using Safeguard.Stream.Fakes;

namespace Safeguard.Stream.Postgres.Tests;

/// <summary>A real throwaway PostgreSQL 15 cluster for this project's tests; each test class takes its own database.</summary>
public sealed class PostgresClusterFixture : IAsyncLifetime
{
    public PostgresCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Cluster = await PostgresCluster.StartAsync();

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();

    public async Task<NpgsqlDataSource> CreateMigratedDatabaseAsync(CancellationToken cancellationToken)
    {
        var connectionString = await Cluster.CreateDatabaseAsync("t_" + Guid.NewGuid().ToString("N")[..20], cancellationToken);
        var dataSource = NpgsqlDataSource.Create(connectionString);
        await new DatabaseMigrator(dataSource).MigrateAsync(cancellationToken);
        return dataSource;
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresDefinition : ICollectionFixture<PostgresClusterFixture>
{
    public const string Name = "postgres";
}
