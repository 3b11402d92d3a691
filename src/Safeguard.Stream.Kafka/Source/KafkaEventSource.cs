using System.Collections.Concurrent;
using Confluent.Kafka;

namespace Safeguard.Stream.Kafka.Source;

/// <summary>
/// Reads events from a Kafka topic in a consumer group with cooperative rebalancing. Offsets are committed only up
/// to what the publish stage has released (the watermark of fully published events): released offsets are handed
/// to the consumer thread, stored there, and committed by librdkafka's auto-commit. On revocation and on close the
/// released offsets are stored first, and librdkafka commits them as it unassigns the partitions. In-flight events
/// of a revoked partition still finish, and since their offsets can no longer be stored here, the partition's new
/// owner receives them again — redelivered, never skipped.
/// </summary>
/// <remarks>
/// There is no synchronous <c>Commit()</c> here: librdkafka holds one until a rebalance in progress ends, so a worker
/// stopped during a rebalance (a rolling deploy restarts several at once) would outlive its shutdown budget while
/// still owning its partitions, and the rest of the group would wait for it.
/// </remarks>
public sealed partial class KafkaEventSource : IEventSource, ISourceProgress, ISourceHealth, IDisposable
{
    private readonly KafkaSourceOptions _options;
    private readonly string _bootstrapServers;
    private readonly int _maxEventBytes;
    private readonly ICheckpointStore _checkpoints;
    private readonly ILogger<KafkaEventSource> _logger;
    private readonly ConcurrentQueue<TopicPartitionOffset> _toStore = new();
    private IConsumer<byte[]?, byte[]>? _consumer;
    private long _sequence;

    public KafkaEventSource(
        IOptions<KafkaSourceOptions> options,
        IOptions<KafkaOptions> producerOptions,
        ICheckpointStore checkpoints,
        ILogger<KafkaEventSource> logger,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(producerOptions);
        _options = options.Value;
        _bootstrapServers = string.IsNullOrEmpty(_options.BootstrapServers) ? producerOptions.Value.BootstrapServers : _options.BootstrapServers;
        _checkpoints = checkpoints;
        _logger = logger;
        _maxEventBytes = _options.MaxEventBytes;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _disconnectedSinceTicks = _timeProvider.GetUtcNow().UtcTicks;
    }

    private readonly TimeProvider _timeProvider;

    /// <summary>When the last message arrived (UTC ticks; 0 before the first).</summary>
    private long _lastEventTicks;

    /// <summary>Since when the consumer has not run: creation until it starts, then the moment it stopped.</summary>
    private long _disconnectedSinceTicks;

    public string Name => "kafka:" + _options.Topic;

    /// <summary>Connected while the consumer runs; librdkafka reconnects to brokers by itself.</summary>
    public SourceHealthReport Health
    {
        get
        {
            var last = Interlocked.Read(ref _lastEventTicks);
            var running = _consumer is not null;
            return new SourceHealthReport(
                running,
                last == 0 ? null : new DateTimeOffset(last, TimeSpan.Zero),
                running ? null : new DateTimeOffset(Interlocked.Read(ref _disconnectedSinceTicks), TimeSpan.Zero));
        }
    }

    /// <summary>Partitions this worker owns right now (for tests and health).</summary>
    public IReadOnlyCollection<int> AssignedPartitions => _consumer?.Assignment.Select(p => p.Partition.Value).ToArray() ?? [];

    /// <summary>
    /// Consumes on a thread of its own: librdkafka's <c>Consume</c> blocks its caller, which would hold a thread-pool
    /// thread for the life of the worker.
    /// </summary>
    public Task RunAsync(ChannelWriter<SourceEvent> output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        return Task.Factory.StartNew(() => Consume(output, cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private void Consume(ChannelWriter<SourceEvent> output, CancellationToken cancellationToken)
    {
        var config = new ConsumerConfig(_options.Consumer)
        {
            BootstrapServers = _bootstrapServers,
            GroupId = _options.GroupId,
            EnableAutoCommit = true,
            EnableAutoOffsetStore = false,
            AutoCommitIntervalMs = (int)_options.CommitInterval.TotalMilliseconds,
            AutoOffsetReset = _options.AutoOffsetReset == "earliest" ? AutoOffsetReset.Earliest : AutoOffsetReset.Latest,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
            ClientId = "safeguard-stream-source",
        };

        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(config)
            .SetErrorHandler((_, error) => Log.ConsumerError(_logger, error.Code, error.IsFatal, error.Reason))
            .SetLogHandler((_, message) => Log.LibrdkafkaLog(_logger, message.Level, message.Facility, message.Message))
            .SetPartitionsAssignedHandler((_, partitions) => LogPartitions(true, partitions))
            .SetPartitionsRevokedHandler((c, partitions) =>
            {
                // Store what is already released; librdkafka commits it as the partitions go to another worker.
                StorePending(c);
                LogPartitions(false, partitions.Select(p => p.TopicPartition));
            })
            .SetPartitionsLostHandler((_, partitions) => LogPartitions(false, partitions.Select(p => p.TopicPartition)))
            .SetOffsetsCommittedHandler((_, committed) => LogCommitFailure(committed))
            .Build();
        _consumer = consumer;
        consumer.Subscribe(_options.Topic);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                StorePending(consumer);
                var record = consumer.Consume(TimeSpan.FromMilliseconds(200));
                if (record?.Message is null)
                {
                    continue;
                }

                // Arrival, not the message's own timestamp: a backlog of old messages is no stall.
                Interlocked.Exchange(ref _lastEventTicks, _timeProvider.GetUtcNow().UtcTicks);
                var value = record.Message.Value ?? [];
                var item = new SourceEvent(
                    ++_sequence,
                    Name,
                    string.Create(CultureInfo.InvariantCulture, $"{record.Topic}/{record.Partition.Value}/{record.Offset.Value}"),
                    value)
                {
                    Rejection = value.Length > _maxEventBytes
                        ? (EventParseError.TooLarge, $"event of {value.Length} bytes exceeds Safeguard:Source:MaxEventBytes ({_maxEventBytes})")
                        : null,
                };
                var written = output.WriteAsync(item, cancellationToken);
                if (!written.IsCompletedSuccessfully)
                {
                    // The channel is full: this thread is the consumer's own, so it waits for room (backpressure).
                    written.AsTask().GetAwaiter().GetResult();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Close revokes the assignment, which commits the stored offsets, and leaves the group.
            StorePending(consumer);
            consumer.Close();
            Interlocked.Exchange(ref _disconnectedSinceTicks, _timeProvider.GetUtcNow().UtcTicks);
            _consumer = null;
        }
    }

    /// <summary>Called by the publish stage with released events, in order: their offsets may now be committed.</summary>
    public async Task AdvanceAsync(IReadOnlyList<EventContext> released, IReadOnlyDictionary<(string Source, string Reason), long> skips, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(released);
        var highest = new Dictionary<(string Topic, int Partition), long>();
        foreach (var item in released)
        {
            if (TryParsePosition(item.Position, out var topic, out var partition, out var offset))
            {
                highest[(topic, partition)] = Math.Max(highest.GetValueOrDefault((topic, partition), -1), offset);
            }
        }

        foreach (var ((topic, partition), offset) in highest)
        {
            // The committed offset is the next one to read.
            _toStore.Enqueue(new TopicPartitionOffset(topic, partition, offset + 1));
        }

        await _checkpoints.CommitAsync(new Dictionary<string, string>(), skips, cancellationToken);
    }

    public void Dispose() => _consumer?.Dispose();

    internal static bool TryParsePosition(string? position, out string topic, out int partition, out long offset)
    {
        topic = string.Empty;
        partition = 0;
        offset = 0;
        if (position is null)
        {
            return false;
        }

        var lastSlash = position.LastIndexOf('/');
        var middleSlash = lastSlash > 0 ? position.LastIndexOf('/', lastSlash - 1) : -1;
        if (middleSlash <= 0 ||
            !int.TryParse(position.AsSpan(middleSlash + 1, lastSlash - middleSlash - 1), NumberStyles.None, CultureInfo.InvariantCulture, out partition) ||
            !long.TryParse(position.AsSpan(lastSlash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out offset))
        {
            return false;
        }

        topic = position[..middleSlash];
        return true;
    }

    private void StorePending(IConsumer<byte[]?, byte[]> consumer)
    {
        while (_toStore.TryDequeue(out var offset))
        {
            try
            {
                consumer.StoreOffset(offset);
            }
            catch (KafkaException ex)
            {
                // Not assigned to us any more: the new owner will receive these events again.
                Log.OffsetNotStored(_logger, offset.Partition.Value, offset.Offset.Value, ex.Error.Code);
            }
        }
    }

    /// <summary>
    /// A failed commit is retried by the next auto-commit or unassignment; one refused because the group is
    /// rebalancing is routine. Anything else (authorisation, a coordinator gone) is worth an operator's look.
    /// </summary>
    private void LogCommitFailure(CommittedOffsets committed)
    {
        var error = committed.Error.IsError ? committed.Error : committed.Offsets.Select(o => o.Error).FirstOrDefault(e => e?.IsError == true);
        if (error is null || error.Code == ErrorCode.Local_NoOffset)
        {
            return;
        }

        if (error.Code is ErrorCode.RebalanceInProgress or ErrorCode.IllegalGeneration or ErrorCode.UnknownMemberId)
        {
            Log.CommitDeferred(_logger, error.Code);
        }
        else
        {
            Log.CommitFailed(_logger, error.Code, error.Reason);
        }
    }

    private void LogPartitions(bool assigned, IEnumerable<TopicPartition> partitions)
    {
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var list = string.Join(",", partitions.Select(p => p.Partition.Value.ToString(CultureInfo.InvariantCulture)));
        if (assigned)
        {
            Log.Assigned(_logger, list);
        }
        else
        {
            Log.Revoked(_logger, list);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4101, EventName = "ConsumerError", Level = LogLevel.Error, Message = "Kafka consumer error {Code} (fatal: {IsFatal}): {Reason}")]
        public static partial void ConsumerError(ILogger logger, ErrorCode code, bool isFatal, string reason);

        [LoggerMessage(EventId = 4102, EventName = "PartitionsAssigned", Level = LogLevel.Information, Message = "Assigned partitions {Partitions}")]
        public static partial void Assigned(ILogger logger, string partitions);

        [LoggerMessage(EventId = 4103, EventName = "PartitionsRevoked", Level = LogLevel.Information, Message = "Revoked partitions {Partitions}")]
        public static partial void Revoked(ILogger logger, string partitions);

        [LoggerMessage(EventId = 4104, EventName = "OffsetNotStored", Level = LogLevel.Debug,
            Message = "Offset {Offset} of partition {Partition} not stored ({Code}); its events will be redelivered to the partition's owner")]
        public static partial void OffsetNotStored(ILogger logger, int partition, long offset, ErrorCode code);

        [LoggerMessage(EventId = 4105, EventName = "CommitFailed", Level = LogLevel.Warning, Message = "Offset commit failed {Code}: {Reason}")]
        public static partial void CommitFailed(ILogger logger, ErrorCode code, string reason);

        [LoggerMessage(EventId = 4107, EventName = "CommitDeferred", Level = LogLevel.Debug,
            Message = "Offset commit refused while the group rebalances ({Code}); stored offsets go with the next commit, or the partition's new owner reads those events again")]
        public static partial void CommitDeferred(ILogger logger, ErrorCode code);

        [LoggerMessage(EventId = 4106, EventName = "LibrdkafkaConsumerLog", Level = LogLevel.Debug, Message = "librdkafka {Level} {Facility}: {Text}")]
        public static partial void LibrdkafkaLog(ILogger logger, SyslogLevel level, string facility, string text);
    }
}
