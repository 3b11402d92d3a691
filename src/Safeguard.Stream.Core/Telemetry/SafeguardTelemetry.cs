using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Safeguard.Stream.Core.Telemetry;

/// <summary>The one meter and activity source of the worker. Instrument names, units and tag keys live here.</summary>
public sealed class SafeguardTelemetry : IDisposable
{
    public const string Name = "Safeguard.Stream";

    private readonly Meter _meter;

    public SafeguardTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(Name);
        EventsReceived = _meter.CreateCounter<long>("safeguard.stream.events.received", "{event}", "Events read from the source.");
        StageProcessed = _meter.CreateCounter<long>("safeguard.stream.stage.processed", "{event}", "Items a stage finished, by outcome.");
        Skipped = _meter.CreateCounter<long>("safeguard.stream.events.skipped", "{event}", "Events not classified, by reason.");
        DeadLettered = _meter.CreateCounter<long>("safeguard.stream.events.dead_lettered", "{event}", "Events dead-lettered, by reason.");
        Verdicts = _meter.CreateCounter<long>("safeguard.stream.verdicts", "{verdict}", "Verdicts by policy and outcome.");
        StageDuration = _meter.CreateHistogram<double>("safeguard.stream.stage.duration", "s", "Time an item spends in a stage.");
        SseReconnects = _meter.CreateCounter<long>("safeguard.stream.sse.reconnects", "{reconnect}", "Reconnections to EventStreams.");
        WikiApiRequests = _meter.CreateCounter<long>(
            "safeguard.stream.wiki_api.requests", "{request}", "MediaWiki Action API requests on the wire (every attempt), by API action and outcome.");
        WikiApiResponseSize = _meter.CreateHistogram<long>(
            "safeguard.stream.wiki_api.response.size", "By", "Bytes of each MediaWiki Action API response body, after content decoding.");
    }

    public ActivitySource ActivitySource { get; } = new(Name, typeof(SafeguardTelemetry).Assembly.GetName().Version?.ToString());

    public Counter<long> EventsReceived { get; }
    public Counter<long> StageProcessed { get; }
    public Counter<long> Skipped { get; }
    public Counter<long> DeadLettered { get; }
    public Counter<long> Verdicts { get; }
    public Histogram<double> StageDuration { get; }
    public Counter<long> SseReconnects { get; }
    public Counter<long> WikiApiRequests { get; }
    public Histogram<long> WikiApiResponseSize { get; }

    public void Dispose()
    {
        ActivitySource.Dispose();
        _meter.Dispose();
    }

    public static class Tags
    {
        public const string Stage = "safeguard.stage";
        public const string Outcome = "outcome";
        public const string Reason = "reason";
        public const string Policy = "safeguard.policy";
        public const string Wiki = "wiki";
        public const string ApiAction = "wiki_api.action";
    }
}
