namespace Safeguard.Stream.Kafka.Source;

/// <summary>
/// The Kafka source: a consumer group on a topic carrying the same events as EventStreams (inside Wikimedia the
/// streams are Kafka topics). Several workers in one group split the partitions; that is how the worker scales out.
/// </summary>
public sealed class KafkaSourceOptions
{
    public const string SectionName = "Safeguard:Source:Kafka";

    /// <summary>Brokers of the source cluster; empty uses <c>Safeguard:Kafka:BootstrapServers</c>.</summary>
    public string? BootstrapServers { get; set; }

    [Required]
    public string Topic { get; set; } = "eqiad.mediawiki.page_change.v1";

    [Required]
    public string GroupId { get; set; } = "safeguard-stream";

    /// <summary>Where a group with no committed offset starts: <c>earliest</c> or <c>latest</c>.</summary>
    [RegularExpression("^(earliest|latest)$")]
    public string AutoOffsetReset { get; set; } = "latest";

    /// <summary>Events larger than this are dead-lettered, not parsed.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxEventBytes { get; set; } = 1024 * 1024;

    /// <summary>How often stored offsets (of fully published events) are committed.</summary>
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Extra librdkafka consumer settings (security, SASL); secrets via environment.</summary>
    public IDictionary<string, string> Consumer { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

[OptionsValidator]
internal sealed partial class KafkaSourceOptionsValidator : IValidateOptions<KafkaSourceOptions>
{
}
