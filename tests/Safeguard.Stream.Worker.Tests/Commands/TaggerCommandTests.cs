using Npgsql;
using Safeguard.Stream.Core.Tagging;
using Safeguard.Stream.Fakes;
using Safeguard.Stream.Postgres;

namespace Safeguard.Stream.Worker.Tests.Commands;

/// <summary>A throwaway PostgreSQL 15 cluster for the class: <c>safeguard tagger valve</c> reads and re-arms valves in it.</summary>
public sealed class TaggerPostgresFixture : IAsyncLifetime
{
    public PostgresCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Cluster = await PostgresCluster.StartAsync();

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();

    public async Task<string> CreateMigratedDatabaseAsync(CancellationToken cancellationToken)
    {
        var connectionString = await Cluster.CreateDatabaseAsync("t_" + Guid.NewGuid().ToString("N")[..20], cancellationToken);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new DatabaseMigrator(dataSource).MigrateAsync(cancellationToken);
        return connectionString;
    }
}

/// <summary><c>safeguard tagger</c> and <c>tagger valve</c>, run as the built binary.</summary>
public sealed class TaggerCommandTests(TaggerPostgresFixture postgres) : IClassFixture<TaggerPostgresFixture>
{
    private static Dictionary<string, string> Environment(string connectionString) => new()
    {
        ["Safeguard__Postgres__ConnectionString"] = connectionString,
        ["Safeguard__Policies__Directory"] = Path.Combine(AppContext.BaseDirectory, "policies"),
    };

    [Fact]
    public async Task Valve_ListsAnOpenValve_ResetReArmsIt_AndASecondResetIsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await postgres.CreateMigratedDatabaseAsync(ct);
        await using (var dataSource = NpgsqlDataSource.Create(database))
        {
            var store = new PostgresTaggingStore(dataSource);
            await store.OpenValveAsync(new ValveTrip("enwiki", "spam", 0.5, 0, 40, "flagged share 50.0 % of the last 40 verdicts exceeds Safeguard:Tagging:MaxFlagRate (5.0 %)"), ct);
            await store.HoldAsync(new HeldTag("enwiki", "en.wikipedia.org", 42, "spam", 1, "safeguard-spam", TagSkipReason.ValveOpen, null), ct);
        }

        var (listExit, list, _) = await CliProcess.RunAsync(["tagger", "valve"], Environment(database), ct);
        Assert.Equal(0, listExit);
        var row = Assert.Single(list.Split('\n'), l => l.StartsWith("enwiki", StringComparison.Ordinal));
        Assert.Matches(@"^enwiki\s+spam\s+open\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+1\s+flagged share 50\.0 %", row);

        var (resetExit, reset, _) = await CliProcess.RunAsync(["tagger", "valve", "--wiki", "enwiki", "--policy", "spam", "--reset"], Environment(database), ct);
        Assert.Equal(0, resetExit);
        Assert.Contains("enwiki/spam re-armed", reset, StringComparison.Ordinal);
        Assert.Contains("1 verdicts held while it was open stay in safeguard.tag_pending", reset, StringComparison.Ordinal);

        var (_, after, _) = await CliProcess.RunAsync(["tagger", "valve", "--wiki", "enwiki"], Environment(database), ct);
        Assert.Matches(@"(?m)^enwiki\s+spam\s+closed\s", after);
        Assert.Contains("re-armed by", after, StringComparison.Ordinal);

        var (againExit, _, again) = await CliProcess.RunAsync(["tagger", "valve", "--wiki", "enwiki", "--policy", "spam", "--reset"], Environment(database), ct);
        Assert.Equal(1, againExit);
        Assert.Contains("the safety valve for enwiki/spam is not open", again, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Valve_NoneEverOpened_SaysEveryPairIsClosed()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await postgres.CreateMigratedDatabaseAsync(ct);

        var (exit, stdout, _) = await CliProcess.RunAsync(["tagger", "valve"], Environment(database), ct);

        Assert.Equal(0, exit);
        Assert.Contains("no valve has opened", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Valve_ResetWithoutAPolicy_IsBadUsage()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await postgres.CreateMigratedDatabaseAsync(ct);

        var (exit, _, stderr) = await CliProcess.RunAsync(["tagger", "valve", "--wiki", "enwiki", "--reset"], Environment(database), ct);

        Assert.Equal(2, exit);
        Assert.Contains("--reset needs --wiki and --policy", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("private-information", "Safeguard:Tagging:Policies: 'private-information' is a restricted policy; restricted policies are never tagged publicly")]
    [InlineData("no-review-url", "Safeguard:Tagging:ReviewUrl")]
    public async Task Tagger_RefusedConfiguration_ExitsAtStartNamingTheKey(string problem, string message)
    {
        var ct = TestContext.Current.CancellationToken;
        var environment = Environment("Host=127.0.0.1;Port=1;Database=x;Username=x");
        environment["Safeguard__Tagging__Wikis__0"] = "enwiki";
        if (problem == "private-information")
        {
            environment["Safeguard__Tagging__ReviewUrl"] = "https://review.example.org/safeguard";
            environment["Safeguard__Tagging__Policies__0"] = "spam";
            environment["Safeguard__Tagging__Policies__1"] = "private-information";
        }

        var (exit, _, stderr) = await CliProcess.RunAsync(["tagger", "--drain"], environment, ct);

        Assert.Equal(2, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }
}
