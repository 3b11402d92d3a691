using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.Kafka.Source;

namespace Safeguard.Stream.Kafka.Tests.Source;

/// <summary>The Kafka source's health and its consumer thread, against a broker address nothing listens on.</summary>
public sealed class KafkaEventSourceTests
{
    private static readonly DateTimeOffset s_created = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    private static (KafkaEventSource Source, FakeTimeProvider Time) CreateSut()
    {
        var time = new FakeTimeProvider(s_created);
        var options = new KafkaSourceOptions { BootstrapServers = "127.0.0.1:1", Topic = "t", GroupId = "g" };
        options.Consumer["socket.connection.setup.timeout.ms"] = "1000";
        var source = new KafkaEventSource(Options.Create(options), Options.Create(new KafkaOptions()), new NoCheckpoints(),
            NullLogger<KafkaEventSource>.Instance, time);
        return (source, time);
    }

    [Fact]
    public void Health_BeforeTheConsumerStarts_IsDisconnectedSinceCreationNot1970()
    {
        var (source, _) = CreateSut();
        using var _ = source;

        var health = source.Health;

        Assert.False(health.Connected);
        Assert.Equal(s_created, health.DisconnectedSince);
        Assert.Null(health.LastEventAt);
    }

    [Fact]
    public async Task RunAsync_ConsumesOnItsOwnThreadAndSaysWhenItStopped()
    {
        var (source, time) = CreateSut();
        using var _ = source;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        // Before, RunAsync looped in Consume on the caller's thread and never returned to it.
        var running = source.RunAsync(Channel.CreateUnbounded<SourceEvent>().Writer, stop.Token);
        while (!source.Health.Connected)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.False(running.IsCompleted); // returned to the caller while the blocking loop runs elsewhere
        Assert.Null(source.Health.DisconnectedSince);
        time.Advance(TimeSpan.FromMinutes(5));
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(s_created.AddMinutes(5), source.Health.DisconnectedSince);
    }

    private sealed class NoCheckpoints : ICheckpointStore
    {
        public Task<string?> LoadAsync(string sourceName, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

        public Task CommitAsync(IReadOnlyDictionary<string, string> positions, IReadOnlyDictionary<(string Source, string Reason), long> skips, CancellationToken cancellationToken) =>
            Task.CompletedTask;
    }
}
