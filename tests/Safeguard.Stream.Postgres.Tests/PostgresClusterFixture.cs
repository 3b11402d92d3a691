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
        var dataSource = await CreateDatabaseAsync(cancellationToken);
        await new DatabaseMigrator(dataSource).MigrateAsync(cancellationToken);
        return dataSource;
    }

    /// <summary>A fresh, empty database (connected as the superuser).</summary>
    public async Task<NpgsqlDataSource> CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        var connectionString = await Cluster.CreateDatabaseAsync("t_" + Guid.NewGuid().ToString("N")[..20], cancellationToken);
        return NpgsqlDataSource.Create(connectionString);
    }

    /// <summary>The same database, every connection switched to <paramref name="role"/> (as a login user in that role would be).</summary>
    public static NpgsqlDataSource AsRole(NpgsqlDataSource dataSource, string role)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        // A pooled connection is reset (DISCARD ALL) when returned, which would drop the role: keep it, as a login role keeps its identity.
        var builder = new NpgsqlDataSourceBuilder(new NpgsqlConnectionStringBuilder(dataSource.ConnectionString) { NoResetOnClose = true }.ConnectionString);
        builder.UsePhysicalConnectionInitializer(
            connection =>
            {
                using var command = new NpgsqlCommand("select set_config('role', @role, false)", connection);
                command.Parameters.AddWithValue("role", role);
                command.ExecuteNonQuery();
            },
            async connection =>
            {
                await using var command = new NpgsqlCommand("select set_config('role', @role, false)", connection);
                command.Parameters.AddWithValue("role", role);
                await command.ExecuteNonQueryAsync();
            });
        return builder.Build();
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresDefinition : ICollectionFixture<PostgresClusterFixture>
{
    public const string Name = "postgres";
}
