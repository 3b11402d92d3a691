using System.ComponentModel.DataAnnotations;

namespace Safeguard.Stream.Postgres;

public sealed class PostgresOptions
{
    public const string SectionName = "Safeguard:Postgres";

    /// <summary>Npgsql connection string. Put the password in the environment or a mounted secret, never in a file.</summary>
    [Required]
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>Characters of a bad payload kept with its dead letter (enough to see what it was).</summary>
    [Range(0, 1_000_000)]
    public int DeadLetterPayloadChars { get; set; } = 4_096;
}
