using System.Text;
using Confluent.Kafka;
using Dapper;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Safeguard.Stream.IntegrationTests.Infrastructure;
using Safeguard.Stream.Postgres;
using Safeguard.Stream.Worker.Hosting;

namespace Safeguard.Stream.IntegrationTests.Ingest;

/// <summary>
/// Two workers in one consumer group read a 6-partition topic of page_change events; one is stopped mid-run and
/// the other takes over its partitions from the committed offsets. Every in-scope edit must be classified, once.
/// </summary>
[Collection(LocalServicesDefinition.Name)]
public sealed class KafkaSourceGroupTests(LocalServicesFixture services)
{
    private const int EventCount = 2_000;

    [Fact]
    public async Task Run_TwoWorkersOneStoppedMidRun_EveryEventProcessedNoneMissing()
    {
        var ct = TestContext.Current.CancellationToken;
        var environment = await services.CreateEnvironmentAsync("group", ct);
        await using (var dataSource = NpgsqlDataSource.Create(environment.ConnectionString))
        {
            await new DatabaseMigrator(dataSource).MigrateAsync(ct);
        }

        var edits = SyntheticEdits.Create(EventCount, firstRevId: 600_000_000);
        foreach (var fixture in edits.Fixtures)
        {
            services.Wiki.AddFixture(fixture);
        }

        var sourceTopic = "source." + Guid.NewGuid().ToString("N");
        services.Kafka.CreateTopic(sourceTopic, partitions: 6);
        await ProduceAsync(sourceTopic, edits.Events, ct);

        var settings = new Dictionary<string, string?>(environment.Settings)
        {
            ["Safeguard:Source:Kind"] = "Kafka",
            ["Safeguard:Source:Kafka:Topic"] = sourceTopic,
            ["Safeguard:Source:Kafka:GroupId"] = "group-" + Guid.NewGuid().ToString("N"),
            ["Safeguard:Source:Kafka:AutoOffsetReset"] = "earliest",
            ["Safeguard:Source:Kafka:CommitInterval"] = "00:00:00.200",
            ["Safeguard:Policies:Enabled:0"] = "spam",
            // In-process hosts log to the test host's console; keep it for problems, not lifecycle chatter.
            ["Logging:LogLevel:Default"] = "Warning",
        };
        var expected = edits.InScope.Count;

        using var first = BuildWorker(settings);
        using var second = BuildWorker(settings);
        await first.StartAsync(ct);
        await second.StartAsync(ct);
        await AuditRows.WaitForAsync(environment.ConnectionString, expected * 4 / 10, ct);

        using (var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await first.StopAsync(stopTimeout.Token);
        }

        await AuditRows.WaitForAsync(environment.ConnectionString, expected, ct);
        using (var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await second.StopAsync(stopTimeout.Token);
        }

        await using var connection = new NpgsqlConnection(environment.ConnectionString);
        var rows = (await connection.QueryAsync<(string WikiId, long RevId)>("select wiki_id, rev_id from safeguard.classifications")).ToList();
        Assert.Equal(expected, rows.Count);
        Assert.True(edits.InScope.SetEquals(rows), "rows differ from the in-scope edits");
    }

    private static IHost BuildWorker(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
        SafeguardHost.Configure(builder, settings);
        SafeguardHost.AddPipeline(builder);
        return builder.Build();
    }

    private async Task ProduceAsync(string topic, IReadOnlyList<string> events, CancellationToken cancellationToken)
    {
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = services.Kafka.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
        }).Build();
        var deliveries = events.Select((json, i) => producer.ProduceAsync(
            topic,
            new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes("page-" + (i % 97)), Value = Encoding.UTF8.GetBytes(json) },
            cancellationToken));
        await Task.WhenAll(deliveries);
    }
}
