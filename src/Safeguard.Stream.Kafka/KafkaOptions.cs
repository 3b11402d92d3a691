namespace Safeguard.Stream.Kafka;

public sealed class KafkaOptions
{
    public const string SectionName = "Safeguard:Kafka";

    [Required]
    public string BootstrapServers { get; set; } = "localhost:9092";

    /// <summary>Stream (topic) for verdicts of public policies.</summary>
    [Required]
    public string Topic { get; set; } = "mediawiki.page_safeguard_classification_change.v1";

    /// <summary>Separate topic for restricted policies; their events never carry the rationale.</summary>
    [Required]
    public string RestrictedTopic { get; set; } = "mediawiki.page_safeguard_classification_change.restricted.v1";

    /// <summary>Dead-letter topic; empty disables it (dead letters still go to Postgres).</summary>
    public string? DeadLetterTopic { get; set; } = "safeguard.dead_letter.v1";

    /// <summary>Bytes of the original payload a dead-letter event carries (the rest is cut, and the event says so).</summary>
    [Range(0, 900_000)]
    public int DeadLetterPayloadBytes { get; set; } = 65_536;

    /// <summary>Schema URI of the output events (Wikimedia Event Platform layout).</summary>
    [Required]
    public string SchemaUri { get; set; } = "/mediawiki/page/safeguard_classification_change/1.0.0";

    /// <summary>
    /// Schema URI of redaction events (1.1.0 adds <c>safeguard.status: redacted</c> and <c>safeguard.redaction</c>);
    /// they go to the verdict's own topic with its <c>meta.id</c> and key.
    /// </summary>
    [Required]
    public string RedactionSchemaUri { get; set; } = "/mediawiki/page/safeguard_classification_change/1.1.0";

    /// <summary>
    /// Schema URI of verdict events that carry the edit's revert risk (1.2.0 adds <c>safeguard.revert_risk</c>), fetched
    /// when a policy has a gate; verdict events without one still name <see cref="SchemaUri"/>.
    /// </summary>
    [Required]
    public string RevertRiskSchemaUri { get; set; } = "/mediawiki/page/safeguard_classification_change/1.2.0";

    /// <summary>Longest a batch waits for broker acknowledgements before the batch is retried.</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Extra librdkafka settings (e.g. <c>security.protocol</c>, <c>sasl.mechanism</c>); secrets via environment.</summary>
    public IDictionary<string, string> Producer { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

[OptionsValidator]
internal sealed partial class KafkaOptionsValidator : IValidateOptions<KafkaOptions>
{
}
