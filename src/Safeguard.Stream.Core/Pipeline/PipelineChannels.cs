using System.Diagnostics.Metrics;

namespace Safeguard.Stream.Core.Pipeline;

/// <summary>
/// The bounded channels between stages. Writers wait when a channel is full (backpressure): nothing is dropped.
/// Results are written by several stages (today routing skips, enrichment skips and classification); each one takes
/// a <see cref="ResultWriter"/> when it is created, and the channel completes when the last of them has ended. The
/// number of writers is counted, not kept by hand: a new result-writing stage just takes its own.
/// </summary>
public sealed class PipelineChannels
{
    private int _openResultWriters;

    public PipelineChannels(IOptions<PipelineOptions> options, SafeguardTelemetry? telemetry = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        Raw = Bounded<SourceEvent>(o.RawCapacity, singleWriter: true);
        Routed = Bounded<RoutedEdit>(o.RoutedCapacity, singleWriter: true);
        Enriched = Bounded<EnrichedEdit>(o.EnrichedCapacity, singleWriter: false);
        Results = Bounded<PipelineResult>(o.ResultCapacity, singleWriter: false);
        telemetry?.ObserveChannelDepths(() =>
        [
            Depth(Raw, "route"),
            Depth(Routed, "enrich"),
            Depth(Enriched, "classify"),
            Depth(Results, "publish"),
        ]);
    }

    private static Measurement<long> Depth<T>(Channel<T> channel, string stage) =>
        new(channel.Reader.CanCount ? channel.Reader.Count : 0, new KeyValuePair<string, object?>(SafeguardTelemetry.Tags.Stage, stage));

    public Channel<SourceEvent> Raw { get; }
    public Channel<RoutedEdit> Routed { get; }
    public Channel<EnrichedEdit> Enriched { get; }
    public Channel<PipelineResult> Results { get; }

    /// <summary>
    /// Registers one more writer of <see cref="Results"/>. Take it when the stage is created (all stages are created
    /// before any starts), and complete it once when the stage ends.
    /// </summary>
    public ResultWriter AddResultWriter()
    {
        Interlocked.Increment(ref _openResultWriters);
        return new ResultWriter(this);
    }

    private void EndResultWriter(Exception? error)
    {
        if (error is not null)
        {
            Results.Writer.TryComplete(error);
            return;
        }

        if (Interlocked.Decrement(ref _openResultWriters) == 0)
        {
            Results.Writer.TryComplete();
        }
    }

    /// <summary>One stage's share of the results channel.</summary>
    public sealed class ResultWriter
    {
        private readonly PipelineChannels _channels;
        private int _completed;

        internal ResultWriter(PipelineChannels channels) => _channels = channels;

        /// <summary>The stage is done writing (call it in its finally block); an error fails the channel at once. Only the first call counts.</summary>
        public void Complete(Exception? error = null)
        {
            if (Interlocked.Exchange(ref _completed, 1) == 0)
            {
                _channels.EndResultWriter(error);
            }
        }
    }

    private static Channel<T> Bounded<T>(int capacity, bool singleWriter) =>
        Channel.CreateBounded<T>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = singleWriter,
            SingleReader = false,
        });
}
