namespace Safeguard.Stream.Postgres;

public sealed class PostgresOptions
{
    public const string SectionName = "Safeguard:Postgres";

    /// <summary>Npgsql connection string. Put the password in the environment or a mounted secret, never in a file.</summary>
    [Required]
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// UTF-8 bytes of a bad payload kept with its dead letter (enough to see what it was), cut on a character boundary
    /// by the same rule as the Kafka dead-letter event's (<c>DeadLetterPayload</c>); 0 keeps none.
    /// </summary>
    [Range(0, 1_000_000)]
    public int DeadLetterPayloadBytes { get; set; } = 4_096;

    /// <summary>
    /// Months of classifications kept besides the current one: <c>safeguard db prune</c> drops the monthly partitions
    /// (by revision time) that end before the start of the current UTC month minus this many months, and dead letters
    /// older than that. 0 keeps everything.
    /// </summary>
    [Range(0, 1_200)]
    public int RetentionMonths { get; set; } = 13;

    /// <summary>Monthly partitions <c>safeguard db prune</c> creates ahead of the current month (writes create missing ones too).</summary>
    [Range(0, 120)]
    public int PartitionsAhead { get; set; } = 3;
}

[OptionsValidator]
internal sealed partial class PostgresOptionsValidator : IValidateOptions<PostgresOptions>
{
}
