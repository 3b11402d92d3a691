using Dapper;

namespace Safeguard.Stream.Postgres.Tests;

[Collection(PostgresDefinition.Name)]
public sealed class PostgresCheckpointStoreTests(PostgresClusterFixture postgres)
{
    [Fact]
    public async Task CommitAsync_StoresLatestPositionAndAddsSkipCounts()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var dataSource = await postgres.CreateMigratedDatabaseAsync(ct);
        var sut = new PostgresCheckpointStore(dataSource, TimeProvider.System);

        Assert.Null(await sut.LoadAsync("eventstreams", ct));
        await sut.CommitAsync(new Dictionary<string, string> { ["eventstreams"] = "[{\"offset\":1}]" },
            new Dictionary<(string, string), long> { [("eventstreams", "bot")] = 2 }, ct);
        await sut.CommitAsync(new Dictionary<string, string> { ["eventstreams"] = "[{\"offset\":9}]" },
            new Dictionary<(string, string), long> { [("eventstreams", "bot")] = 3, [("eventstreams", "canary")] = 1 }, ct);

        Assert.Equal("[{\"offset\":9}]", await sut.LoadAsync("eventstreams", ct));
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var counts = (await connection.QueryAsync<(string Reason, long Count)>("select reason, count from safeguard.skip_counts order by reason")).ToList();
        Assert.Equal([("bot", 5L), ("canary", 1L)], counts);
    }

    [Fact]
    public async Task CommitAsync_Nothing_IsANoOp()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var dataSource = await postgres.CreateMigratedDatabaseAsync(ct);
        var sut = new PostgresCheckpointStore(dataSource, TimeProvider.System);

        await sut.CommitAsync(new Dictionary<string, string>(), new Dictionary<(string, string), long>(), ct);

        Assert.Null(await sut.LoadAsync("x", ct));
    }
}
