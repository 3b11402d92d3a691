namespace Safeguard.Stream.Core.Pipeline;

/// <summary>
/// Reads events into the raw channel until the source ends (files) or the token is cancelled (streams).
/// Sequences must be contiguous from 1: the checkpoint watermark depends on it.
/// </summary>
public interface IEventSource
{
    string Name { get; }

    Task RunAsync(ChannelWriter<SourceEvent> output, CancellationToken cancellationToken);
}

/// <summary>What a source says about its connection, for the readiness probe.</summary>
public readonly record struct SourceHealthReport(bool Connected, DateTimeOffset? LastEventAt, DateTimeOffset? DisconnectedSince);

/// <summary>Implemented by sources whose connection can be lost (EventStreams, Kafka).</summary>
public interface ISourceHealth
{
    SourceHealthReport Health { get; }
}
