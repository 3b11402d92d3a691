namespace Safeguard.Stream.EventStreams;

public enum SourceKind
{
    EventStreams,
    Kafka,
    File,
}

public sealed class SourceOptions
{
    public const string SectionName = "Safeguard:Source";

    public SourceKind Kind { get; set; } = SourceKind.EventStreams;

    /// <summary>EventStreams URL (one or more comma-separated streams in the path).</summary>
    [Required]
    public Uri Url { get; set; } = new("https://stream.wikimedia.org/v2/stream/mediawiki.page_change.v1");

    /// <summary>Replay file for <see cref="SourceKind.File"/>: JSONL of payloads or a raw SSE capture.</summary>
    public string? File { get; set; }

    /// <summary>
    /// True: the file source resumes after its checkpoint, as a stream would after a crash (for `safeguard run` over
    /// a file). False (the default, and always for `safeguard replay`): start at the top.
    /// </summary>
    public bool ResumeFile { get; set; }

    /// <summary>Replay speed: 0 = as fast as possible; 1 = real time by the events' timestamps; 10 = ten times faster.</summary>
    [Range(0, 1_000_000)]
    public double Speed { get; set; }

    /// <summary>With no checkpoint: <c>now</c> (latest) or an ISO-8601 time to start from (EventStreams keeps about 7 days).</summary>
    public string StartAt { get; set; } = "now";

    /// <summary>Events larger than this are dead-lettered, not parsed.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxEventBytes { get; set; } = 1024 * 1024;

    /// <summary>Reconnect when no event arrived for this long (EventStreams sends no heartbeats).</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Wikimedia's User-Agent policy: name, version and a contact address.</summary>
    [Required]
    [MinLength(10)]
    public string UserAgent { get; set; } = "Safeguard.Stream/0.1 (https://github.com/safeguard-stream; safeguard-ops@example.org)";

    /// <summary>Name under which the resume position is checkpointed.</summary>
    [Required]
    public string CheckpointName { get; set; } = "eventstreams";
}

[OptionsValidator]
internal sealed partial class SourceOptionsValidator : IValidateOptions<SourceOptions>
{
}
