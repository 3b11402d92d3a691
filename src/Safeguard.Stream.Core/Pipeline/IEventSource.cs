using System.Threading.Channels;
using Safeguard.Stream.Core.Pipeline;

namespace Safeguard.Stream.EventStreams;

/// <summary>
/// Reads events into the raw channel until the source ends (files) or the token is cancelled (streams).
/// Sequences must be contiguous from 1: the checkpoint watermark depends on it.
/// </summary>
public interface IEventSource
{
    string Name { get; }

    Task RunAsync(ChannelWriter<SourceEvent> output, CancellationToken cancellationToken);
}
