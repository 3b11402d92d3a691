using System.Text;
using Confluent.Kafka;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Npgsql;
using Safeguard.Stream.IntegrationTests.Infrastructure;
using Safeguard.Stream.Kafka.Source;
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
            // In-process hosts log to the test host's console; keep it for problems, not lifecycle chatter. The Kafka
            // source's assignments and librdkafka's group protocol go to memory, for the failure message.
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Safeguard.Stream.Kafka.Source"] = "Debug",
            ["Safeguard:Source:Kafka:Consumer:debug"] = "cgrp",

            // librdkafka's mock cluster holds every rebalance open for the session timeout less a second, even once
            // all members have rejoined (a real broker ends it then). At the default 45 s, a member joining late or
            // leaving costs the group 44 s without partitions; two such rounds outlasted the test's wait on CI.
            ["Safeguard:Source:Kafka:Consumer:session.timeout.ms"] = "6000",
            ["Safeguard:Source:Kafka:Consumer:heartbeat.interval.ms"] = "500",
        };
        var expected = edits.InScope.Count;

        var logs = new CapturedLogs();
        using var first = BuildWorker(settings, logs.For("first"));
        using var second = BuildWorker(settings, logs.For("second"));
        string Describe() =>
            $"first owns [{string.Join(",", Source(first).AssignedPartitions)}], second owns [{string.Join(",", Source(second).AssignedPartitions)}]\n{logs.Tail(150)}";
        await first.StartAsync(ct);
        await second.StartAsync(ct);
        await AuditRows.WaitForAsync(environment.ConnectionString, expected * 4 / 10, () => null, Describe, ct);

        using (var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await first.StopAsync(stopTimeout.Token);
        }

        // Its consumer closed within the shutdown budget and left the group, so the second can take its partitions.
        Assert.False(Source(first).Health.Connected, "the stopped worker's consumer is still in the group:\n" + Describe());

        await AuditRows.WaitForAsync(environment.ConnectionString, expected, () => null, Describe, ct);
        using (var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await second.StopAsync(stopTimeout.Token);
        }

        await using var connection = new NpgsqlConnection(environment.ConnectionString);
        var rows = (await connection.QueryAsync<(string WikiId, long RevId)>("select wiki_id, rev_id from safeguard.classifications")).ToList();
        Assert.Equal(expected, rows.Count);
        Assert.True(edits.InScope.SetEquals(rows), "rows differ from the in-scope edits");
    }

    private static IHost BuildWorker(Dictionary<string, string?> settings, ILoggerProvider logs)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
        SafeguardHost.Configure(builder, settings);
        builder.Logging.AddProvider(logs);
        builder.Logging.AddFilter<ConsoleLoggerProvider>("Safeguard.Stream.Kafka.Source", LogLevel.Warning);
        SafeguardHost.AddPipeline(builder);
        return builder.Build();
    }

    private static KafkaEventSource Source(IHost worker) => worker.Services.GetRequiredService<KafkaEventSource>();

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
