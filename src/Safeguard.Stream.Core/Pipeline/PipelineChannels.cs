using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Safeguard.Stream.Core.Telemetry;

namespace Safeguard.Stream.Core.Pipeline;

/// <summary>
/// The bounded channels between stages. Writers wait when a channel is full (backpressure): nothing is dropped.
/// Results are written by three stages (routing skips, enrichment skips, classification), so that channel completes
/// only when all three writers have said they are done.
/// </summary>
public sealed class PipelineChannels
{
    public const int ResultWriterCount = 3;
    private int _openResultWriters = ResultWriterCount;

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

    /// <summary>A result-writing stage calls this once, in its finally block.</summary>
    public void CompleteResultWriter(Exception? error = null)
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

    private static Channel<T> Bounded<T>(int capacity, bool singleWriter) =>
        Channel.CreateBounded<T>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = singleWriter,
            SingleReader = false,
        });
}
