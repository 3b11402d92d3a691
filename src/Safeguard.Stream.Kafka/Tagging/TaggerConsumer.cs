using Confluent.Kafka;
using Safeguard.Stream.Core.Tagging;

namespace Safeguard.Stream.Kafka.Tagging;

/// <summary>How the tagger runs: for ever (<c>safeguard tagger</c>) or until it has caught up (<c>--drain</c>).</summary>
public sealed record TaggerRunMode(bool Drain);

/// <summary>
/// <c>safeguard tagger</c>'s consumer: a consumer group on the verdict topic (cooperative rebalancing, like the Kafka
/// source), one verdict at a time on a thread of its own. A verdict's offset is stored only after
/// <see cref="VerdictTagger"/> returned its outcome, and librdkafka's auto-commit commits stored offsets (and commits
/// them on revocation and close), so a restart re-reads at most the verdicts whose outcome was not yet committed: their
/// tags are applied again and the wiki answers <c>noop</c>. A wiki that says "later", or Postgres down, holds the
/// partition (the tagger's retry) instead of skipping. Every <see cref="TaggerOptions.ResumeInterval"/> (and at start) the
/// verdicts held for a paused tag or a stopped wiki are tried again. With <see cref="TaggerRunMode.Drain"/> it stops the
/// host once every assigned partition reached its end.
/// </summary>
public sealed partial class TaggerConsumer(
    VerdictTagger tagger,
    IOptions<TaggerOptions> options,
    IOptions<KafkaOptions> kafka,
    TaggerRunMode mode,
    IHostApplicationLifetime lifetime,
    TimeProvider timeProvider,
    ILogger<TaggerConsumer> logger) : BackgroundService
{
    /// <summary>How often librdkafka looks the topic up again (its default is 5 minutes): how soon a tagger started before its topic sees it.</summary>
    private const int TopicMetadataRefreshMs = 10_000;

    private volatile bool _running;
    private volatile string? _waitingForTopic;

    /// <summary>Whether the consumer thread runs (for the health check).</summary>
    public bool Running => _running;

    /// <summary>The verdict topic while it does not exist (the tagger waits for it), else null (for the health check).</summary>
    public string? WaitingForTopic => _waitingForTopic;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Consume(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private async Task Consume(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var topic = string.IsNullOrEmpty(settings.Topic) ? kafka.Value.Topic : settings.Topic;
        var config = new ConsumerConfig(new Dictionary<string, string>(kafka.Value.Producer.Where(p => p.Key.StartsWith("security.", StringComparison.Ordinal) || p.Key.StartsWith("sasl.", StringComparison.Ordinal)), StringComparer.Ordinal))
        {
            BootstrapServers = kafka.Value.BootstrapServers,
            GroupId = settings.GroupId,
            EnableAutoCommit = true,
            EnableAutoOffsetStore = false,
            AutoCommitIntervalMs = 1000,
            SessionTimeoutMs = (int)settings.SessionTimeout.TotalMilliseconds,
            AutoOffsetReset = settings.AutoOffsetReset == "earliest" ? AutoOffsetReset.Earliest : AutoOffsetReset.Latest,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
            EnablePartitionEof = mode.Drain,
            ClientId = "safeguard-tagger",
            TopicMetadataRefreshIntervalMs = TopicMetadataRefreshMs,
        };

        var atEnd = new HashSet<TopicPartition>();
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(config)
            .SetErrorHandler((_, error) => Log.ConsumerError(logger, error.Code, error.IsFatal, error.Reason))
            .SetPartitionsRevokedHandler((_, partitions) => atEnd.ExceptWith(partitions.Select(p => p.TopicPartition)))
            .SetPartitionsLostHandler((_, partitions) => atEnd.ExceptWith(partitions.Select(p => p.TopicPartition)))
            .Build();
        try
        {
            await tagger.StartAsync(cancellationToken);
            consumer.Subscribe(topic);
            _running = true;
            var nextResume = timeProvider.GetUtcNow();
            while (!cancellationToken.IsCancellationRequested)
            {
                if (timeProvider.GetUtcNow() >= nextResume)
                {
                    var resumed = await tagger.ResumeHeldAsync(cancellationToken);
                    if (resumed > 0)
                    {
                        Log.Resumed(logger, resumed);
                    }

                    nextResume = timeProvider.GetUtcNow() + settings.ResumeInterval;
                }

                ConsumeResult<byte[]?, byte[]>? record;
                try
                {
                    record = consumer.Consume(TimeSpan.FromMilliseconds(200));
                }
                catch (ConsumeException ex) when (ex.Error.Code == ErrorCode.UnknownTopicOrPart && !mode.Drain)
                {
                    // The verdict topic does not exist yet (the worker creates it on its first verdict, or an operator
                    // does): wait for it, degraded, instead of exiting; librdkafka looks again at each metadata refresh.
                    // A drain has nothing to catch up with, so there it stays an error.
                    if (_waitingForTopic is null)
                    {
                        Log.WaitingForTopic(logger, topic, TopicMetadataRefreshMs / 1000);
                    }

                    _waitingForTopic = topic;
                    continue;
                }

                if (_waitingForTopic is not null && consumer.Assignment.Count > 0)
                {
                    _waitingForTopic = null;
                    Log.TopicFound(logger, topic);
                }

                if (record is null)
                {
                    continue;
                }

                if (record.IsPartitionEOF)
                {
                    atEnd.Add(record.TopicPartition);
                    if (mode.Drain && consumer.Assignment.Count > 0 && consumer.Assignment.All(atEnd.Contains))
                    {
                        Log.CaughtUp(logger, topic);
                        break;
                    }

                    continue;
                }

                atEnd.Remove(record.TopicPartition);
                var position = string.Create(CultureInfo.InvariantCulture, $"{record.Topic}/{record.Partition.Value}/{record.Offset.Value}");
                await tagger.HandleAsync(record.Message.Value ?? [], position, cancellationToken);
                try
                {
                    // The next offset to read is stored: committed by the next auto-commit, or on revocation and close.
                    consumer.StoreOffset(record);
                }
                catch (KafkaException ex)
                {
                    // The partition went to another tagger meanwhile: it reads this verdict again and the wiki answers noop.
                    Log.OffsetNotStored(logger, record.Partition.Value, record.Offset.Value, ex.Error.Code);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _running = false;
            // Close revokes the assignment, which commits the stored offsets, and leaves the group.
            consumer.Close();
            if (mode.Drain)
            {
                lifetime.StopApplication();
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4201, EventName = "TaggerConsumerError", Level = LogLevel.Error, Message = "Tagger's Kafka consumer error {Code} (fatal: {IsFatal}): {Reason}")]
        public static partial void ConsumerError(ILogger logger, ErrorCode code, bool isFatal, string reason);

        [LoggerMessage(EventId = 4202, EventName = "TaggerCaughtUp", Level = LogLevel.Information, Message = "Tagger caught up with {Topic}; draining done")]
        public static partial void CaughtUp(ILogger logger, string topic);

        [LoggerMessage(EventId = 4203, EventName = "TaggerOffsetNotStored", Level = LogLevel.Debug,
            Message = "Offset {Offset} of partition {Partition} not stored ({Code}); the partition's new owner tags it again (noop)")]
        public static partial void OffsetNotStored(ILogger logger, int partition, long offset, ErrorCode code);

        [LoggerMessage(EventId = 4205, EventName = "TaggerWaitingForTopic", Level = LogLevel.Warning,
            Message = "The verdict topic {Topic} does not exist; the tagger waits for it (looked up again every {Seconds} s). Create it, or check Safeguard:Tagging:Topic")]
        public static partial void WaitingForTopic(ILogger logger, string topic, int seconds);

        [LoggerMessage(EventId = 4206, EventName = "TaggerTopicFound", Level = LogLevel.Information, Message = "The verdict topic {Topic} exists now; tagging")]
        public static partial void TopicFound(ILogger logger, string topic);

        [LoggerMessage(EventId = 4204, EventName = "TaggerResumed", Level = LogLevel.Information, Message = "Tagger: {Count} held verdicts have an outcome now")]
        public static partial void Resumed(ILogger logger, int count);
    }
}
