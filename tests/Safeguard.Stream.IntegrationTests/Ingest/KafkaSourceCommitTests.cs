using System.Text;
using System.Threading.Channels;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.IntegrationTests.Infrastructure;
using Safeguard.Stream.Kafka;
using Safeguard.Stream.Kafka.Source;

namespace Safeguard.Stream.IntegrationTests.Ingest;

/// <summary>
/// What the Kafka source leaves committed when it stops, read back from librdkafka's mock cluster by another member
/// of the group: exactly what the publish stage released, never beyond it. The source relies on librdkafka's
/// commit on unassignment (its own synchronous commit waited out rebalances; see <see cref="KafkaEventSource"/>).
/// </summary>
[Collection(LocalServicesDefinition.Name)]
public sealed class KafkaSourceCommitTests(LocalServicesFixture services)
{
    [Fact]
    public async Task RunAsync_Stopped_CommitsWhatWasReleasedAndNothingBeyond()
    {
        var ct = TestContext.Current.CancellationToken;
        var topic = "commit." + Guid.NewGuid().ToString("N");
        var group = "group-" + Guid.NewGuid().ToString("N");
        services.Kafka.CreateTopic(topic, partitions: 1);
        await ProduceAsync(topic, 20, ct);

        var options = new KafkaSourceOptions { BootstrapServers = services.Kafka.BootstrapServers, Topic = topic, GroupId = group, AutoOffsetReset = "earliest" };
        options.Consumer["auto.commit.interval.ms"] = "600000"; // no timer commit: only the one on the way out
        using var source = new KafkaEventSource(Options.Create(options), Options.Create(new KafkaOptions()), new NoCheckpoints(), NullLogger<KafkaEventSource>.Instance);
        var events = Channel.CreateUnbounded<SourceEvent>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var running = source.RunAsync(events.Writer, stop.Token);

        // All 20 are read; the first 7 are fully published (released), the rest still in flight.
        var read = new List<SourceEvent>();
        while (read.Count < 20)
        {
            read.Add(await events.Reader.ReadAsync(ct));
        }

        await source.AdvanceAsync(read[..7], new Dictionary<(string, string), long>(), ct);
        await Task.Delay(TimeSpan.FromMilliseconds(500), ct); // the consumer thread stores handed-back offsets between polls
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(60), ct);

        using var reader = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = services.Kafka.BootstrapServers, GroupId = group }).Build();
        var committed = reader.Committed([new TopicPartition(topic, 0)], TimeSpan.FromSeconds(10)).Single();

        Assert.True(KafkaEventSource.TryParsePosition(read[6].Position, out _, out _, out var lastReleased));
        Assert.Equal(lastReleased + 1, committed.Offset.Value); // the next to read: the first event still in flight
        Assert.False(source.Health.Connected);
    }

    private async Task ProduceAsync(string topic, int count, CancellationToken cancellationToken)
    {
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = services.Kafka.BootstrapServers }).Build();
        for (var i = 0; i < count; i++)
        {
            await producer.ProduceAsync(topic, new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes("k" + i), Value = Encoding.UTF8.GetBytes("{}") }, cancellationToken);
        }
    }

    private sealed class NoCheckpoints : ICheckpointStore
    {
        public Task<string?> LoadAsync(string sourceName, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

        public Task CommitAsync(IReadOnlyDictionary<string, string> positions, IReadOnlyDictionary<(string Source, string Reason), long> skips, CancellationToken cancellationToken) =>
            Task.CompletedTask;
    }
}
