using Confluent.Kafka;

namespace Safeguard.Stream.Kafka;

/// <summary>
/// Publishes one event per (revision, policy) through one long-lived idempotent producer (<c>acks=all</c>, zstd), and
/// a dead-letter event per dead letter. <see cref="WriteAsync"/> returns once the broker acknowledged every message
/// of the batch; a failure throws and the publish stage retries the batch (consumers dedupe by <c>meta.id</c>).
/// While the brokers are unreachable, librdkafka keeps retrying each message for up to
/// <see cref="KafkaOptions.DeliveryTimeout"/>; the publish stage waits on the batch meanwhile, so the pipeline stops
/// reading (bounded channels) instead of buffering, and resumes when the brokers are back.
/// </summary>
public sealed partial class KafkaVerdictSink : IResultSink, IRedactionPublisher, IDisposable
{
    private readonly IProducer<byte[], byte[]> _producer;
    private readonly KafkaOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<KafkaVerdictSink> _logger;
    private int _disposed;
    private readonly SafeguardTelemetry? _telemetry;

    public KafkaVerdictSink(IOptions<KafkaOptions> options, TimeProvider timeProvider, ILogger<KafkaVerdictSink> logger, SafeguardTelemetry? telemetry = null)
    {
        _telemetry = telemetry;
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        _producer = new ProducerBuilder<byte[], byte[]>(CreateConfig(_options))
            .SetErrorHandler((_, error) => Log.ProducerError(_logger, error.Code, error.IsFatal, error.Reason))
            .SetLogHandler((_, message) => Log.LibrdkafkaLog(_logger, message.Level, message.Facility, message.Message))
            .Build();
    }

    public string Name => "kafka";

    public static ProducerConfig CreateConfig(KafkaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new ProducerConfig(options.Producer)
        {
            BootstrapServers = options.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            CompressionType = CompressionType.Zstd,
            LingerMs = 20,
            MessageTimeoutMs = (int)options.DeliveryTimeout.TotalMilliseconds,
            ClientId = "safeguard-stream",
        };
        return config;
    }

    public async Task WriteAsync(IReadOnlyList<PipelineResult> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var now = _timeProvider.GetUtcNow();
        var deliveries = new List<Task<DeliveryResult<byte[], byte[]>>>();
        foreach (var result in batch)
        {
            switch (result)
            {
                case ClassifiedResult classified:
                    foreach (var verdict in classified.Verdicts)
                    {
                        var topic = verdict.Visibility == PolicyVisibility.Restricted ? _options.RestrictedTopic : _options.Topic;
                        var schemaUri = classified.RevertRisk is null ? _options.SchemaUri : _options.RevertRiskSchemaUri;
                        var message = new Message<byte[], byte[]>
                        {
                            Key = VerdictEventWriter.Key(classified.Edit),
                            Value = VerdictEventWriter.Write(classified.Edit, verdict, topic, schemaUri, now, classified.RevertRisk),
                            Headers = new Headers
                            {
                                { "content-type", "application/json"u8.ToArray() },
                                { "schema", Encoding.UTF8.GetBytes(schemaUri) },
                            },
                        };
                        deliveries.Add(Count(_producer.ProduceAsync(topic, message, cancellationToken),
                            verdict.Visibility == PolicyVisibility.Restricted ? "restricted" : "verdicts"));
                    }

                    break;
                case DeadLetteredResult dead when !string.IsNullOrEmpty(_options.DeadLetterTopic):
                    deliveries.Add(Count(_producer.ProduceAsync(_options.DeadLetterTopic, new Message<byte[], byte[]>
                    {
                        Key = Encoding.UTF8.GetBytes(dead.Key),
                        Value = DeadLetterEventWriter.Write(dead, _options.DeadLetterTopic, _options.DeadLetterPayloadBytes, now),
                        Headers = new Headers { { "content-type", "application/json"u8.ToArray() } },
                    }, cancellationToken), "dead_letter"));
                    break;
            }
        }

        if (deliveries.Count > 0)
        {
            await Task.WhenAll(deliveries);
        }
    }

    /// <summary>One redaction event per verdict, on the verdict's own topic and key; returns once all are acknowledged.</summary>
    public async Task PublishAsync(IReadOnlyList<RedactedVerdict> verdicts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        var now = _timeProvider.GetUtcNow();
        var deliveries = verdicts.Select(redacted =>
        {
            var restricted = redacted.Verdict.Visibility == PolicyVisibility.Restricted;
            var topic = restricted ? _options.RestrictedTopic : _options.Topic;
            return Count(_producer.ProduceAsync(topic, new Message<byte[], byte[]>
            {
                Key = VerdictEventWriter.Key(redacted.Edit),
                Value = VerdictEventWriter.WriteRedaction(redacted, topic, _options.RedactionSchemaUri, now),
                Headers = new Headers
                {
                    { "content-type", "application/json"u8.ToArray() },
                    { "schema", Encoding.UTF8.GetBytes(_options.RedactionSchemaUri) },
                },
            }, cancellationToken), "redaction");
        }).ToList();
        await Task.WhenAll(deliveries);
    }

    /// <summary>Counts each delivery report as <c>safeguard.stream.kafka.deliveries</c> by topic kind and outcome.</summary>
    private async Task<DeliveryResult<byte[], byte[]>> Count(Task<DeliveryResult<byte[], byte[]>> delivery, string topicKind)
    {
        var kind = new KeyValuePair<string, object?>(SafeguardTelemetry.Tags.TopicKind, topicKind);
        try
        {
            var result = await delivery;
            _telemetry?.KafkaDeliveries.Add(1, kind, new(SafeguardTelemetry.Tags.Outcome, "acknowledged"));
            return result;
        }
        catch (ProduceException<byte[], byte[]> ex)
        {
            _telemetry?.KafkaDeliveries.Add(1, kind, new(SafeguardTelemetry.Tags.Outcome, ex.Error.Code.ToString()));
            throw;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        // Bounded flush: anything still unacknowledged is redelivered from the checkpoint on the next start.
        _producer.Flush(TimeSpan.FromSeconds(10));
        _producer.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4001, EventName = "ProducerError", Level = LogLevel.Error,
            Message = "Kafka producer error {Code} (fatal: {IsFatal}): {Reason}")]
        public static partial void ProducerError(ILogger logger, ErrorCode code, bool isFatal, string reason);

        [LoggerMessage(EventId = 4002, EventName = "Librdkafka", Level = LogLevel.Debug, Message = "librdkafka {Level} {Facility}: {Text}")]
        public static partial void LibrdkafkaLog(ILogger logger, SyslogLevel level, string facility, string text);
    }
}
