using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.Core.Telemetry;
using Safeguard.Stream.Fakes;
using Safeguard.Stream.IntegrationTests.Infrastructure;
using Safeguard.Stream.Postgres;
using Safeguard.Stream.Worker.Hosting;

namespace Safeguard.Stream.IntegrationTests.Publishing;

/// <summary>
/// The Kafka brokers go away for 10 s in the middle of a replay: the pipeline must stop reading (bounded memory, not
/// an unbounded buffer), lose nothing, and finish once the brokers are back.
/// </summary>
[Collection(LocalServicesDefinition.Name)]
public sealed class BrokerOutageTests(LocalServicesFixture services)
{
    private const int Edits = 1_000;
    private const int Capacity = 40;
    private const int BatchSize = 20;

    [Fact]
    public async Task Replay_BrokersDownTenSeconds_BlocksWithBoundedInFlightAndLosesNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var environment = await services.CreateEnvironmentAsync("outage", ct);
        await using (var dataSource = NpgsqlDataSource.Create(environment.ConnectionString))
        {
            await new DatabaseMigrator(dataSource).MigrateAsync(ct);
        }

        // A mock cluster of its own: taking the shared one down would disturb other tests.
        using var kafka = KafkaMockCluster.Start();
        kafka.CreateTopic(environment.Topic, partitions: 2);
        kafka.CreateTopic(environment.RestrictedTopic, partitions: 1);
        kafka.CreateTopic(environment.DeadLetterTopic, partitions: 1);
        await using var wiki = await WikiApiFixtureServer.StartAsync(ct: ct);
        var file = Path.Combine(Directory.CreateTempSubdirectory("outage").FullName, "events.jsonl");
        var edits = GeneratedEdits.Write(file, firstRevId: 920_000_000, Edits, wiki.AddFixture);
        var capacity = Capacity.ToString(CultureInfo.InvariantCulture);
        var settings = new Dictionary<string, string?>(environment.Settings)
        {
            ["Safeguard:Kafka:BootstrapServers"] = kafka.BootstrapServers,
            // Shorter than the outage, so batches also fail and are retried by the publish stage, not only wait.
            ["Safeguard:Kafka:DeliveryTimeout"] = "00:00:04",
            ["Safeguard:MediaWiki:ApiUrlTemplate"] = wiki.ApiUrlTemplateString,
            ["Safeguard:Policies:Directory"] = SafeguardProcess.PolicyDirectory("spam.md"),
            ["Safeguard:Source:Kind"] = "File",
            ["Safeguard:Source:File"] = file,
            ["Safeguard:Pipeline:RawCapacity"] = capacity,
            ["Safeguard:Pipeline:RoutedCapacity"] = capacity,
            ["Safeguard:Pipeline:EnrichedCapacity"] = capacity,
            ["Safeguard:Pipeline:ResultCapacity"] = capacity,
            ["Safeguard:Pipeline:PublishBatchSize"] = BatchSize.ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Critical",
        };

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
        SafeguardHost.Configure(builder, settings);
        SafeguardHost.AddPipeline(builder);
        using var host = builder.Build();
        var tally = host.Services.GetRequiredService<PipelineTally>();
        var completion = host.Services.GetRequiredService<PipelineCompletion>();
        long received = 0;
        using var listener = CountReceived(host.Services.GetRequiredService<SafeguardTelemetry>(), () => Interlocked.Increment(ref received));

        await host.StartAsync(ct);
        try
        {
            await WaitUntilAsync(() => tally.Events >= 100, TimeSpan.FromSeconds(30), ct);

            kafka.SetBrokerDown(1);
            var publishedAtOutage = tally.Events;
            long maxInFlight = 0;
            var outage = System.Diagnostics.Stopwatch.StartNew();
            while (outage.Elapsed < TimeSpan.FromSeconds(10))
            {
                maxInFlight = Math.Max(maxInFlight, Interlocked.Read(ref received) - tally.Events);
                await Task.Delay(100, ct);
            }

            var publishedDuringOutage = tally.Events - publishedAtOutage;
            kafka.SetBrokerUp(1);
            await completion.Drained.WaitAsync(TimeSpan.FromSeconds(60), ct);

            // Memory: what was read but not yet published stays within the channels, the batch being retried and the
            // stages' concurrency — far below the 1,000 events a reader that kept going would have taken in.
            const int bound = (4 * Capacity) + BatchSize + 16 + 8 + 16;
            Assert.InRange(maxInFlight, 0, bound);
            Assert.True(publishedDuringOutage <= 2 * BatchSize, $"{publishedDuringOutage} events were published while no broker was up");
            Assert.Equal(Edits, tally.Events);
            TestContext.Current.TestOutputHelper?.WriteLine($"outage test: max in flight {maxInFlight} (bound {bound}), published during outage {publishedDuringOutage}");
        }
        finally
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await host.StopAsync(stop.Token);
        }

        // Nothing lost: every verdict in Postgres once and in Kafka at least once, every event valid.
        var expected = edits.ExpectedEventIds("spam", 1);
        await using var connection = new NpgsqlConnection(environment.ConnectionString);
        var stored = (await connection.QueryAsync<Guid>(new CommandDefinition("select event_id from safeguard.classifications", cancellationToken: ct)))
            .Select(g => g.ToString()).ToList();
        Assert.Equal(expected.Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
        var messages = await Kcat.ConsumeAllAsync(kafka.BootstrapServers, environment.Topic, ct);
        var ids = messages.Select(m => JsonDocument.Parse(m).RootElement.GetProperty("meta").GetProperty("id").GetString()!).ToHashSet(StringComparer.Ordinal);
        Assert.True(expected.SetEquals(ids), $"kafka holds {ids.Count} distinct ids, {expected.Count} expected, {expected.Except(ids).Count()} missing");
        EventSchemaValidator.AssertAllValid(messages);
    }

    private static MeterListener CountReceived(SafeguardTelemetry telemetry, Action onEvent)
    {
        // Only this host's instrument: other pipelines in the process have their own.
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument, telemetry.EventsReceived))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) =>
        {
            for (var i = 0; i < value; i++)
            {
                onEvent();
            }
        });
        listener.Start();
        return listener;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        while (!condition())
        {
            await Task.Delay(50, cts.Token);
        }
    }
}
