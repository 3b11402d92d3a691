using System.Diagnostics.Metrics;

namespace Safeguard.Stream.Core.Telemetry;

/// <summary>
/// The one meter and activity source of the worker. Instrument names, units and tag keys live here. Durations are in
/// seconds; tags stay low-cardinality (never an event id or a URL). Gauges read their values through sources that the
/// owning components register (channels, the LLM limiter, the checkpoint).
/// </summary>
public sealed class SafeguardTelemetry : IDisposable
{
    public const string Name = "Safeguard.Stream";

    private readonly Meter _meter;
    private readonly TimeProvider _timeProvider;
    private Func<IEnumerable<Measurement<long>>>? _channelDepths;
    private Func<(int InFlight, int Limit)>? _llmConcurrency;
    private Func<int?>? _llmServerWaiting;
    private Func<IEnumerable<Measurement<int>>>? _openValves;
    private long _lastCheckpointTicks;

    public SafeguardTelemetry(IMeterFactory meterFactory)
        : this(meterFactory, TimeProvider.System)
    {
    }

    public SafeguardTelemetry(IMeterFactory meterFactory, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _timeProvider = timeProvider;
        _meter = meterFactory.Create(Name);
        EventsReceived = _meter.CreateCounter<long>("safeguard.stream.events.received", "{event}", "Events read from the source.");
        StageProcessed = _meter.CreateCounter<long>("safeguard.stream.stage.processed", "{event}", "Items a stage finished, by outcome.");
        Skipped = _meter.CreateCounter<long>("safeguard.stream.events.skipped", "{event}", "Events not classified, by reason.");
        DeadLettered = _meter.CreateCounter<long>("safeguard.stream.events.dead_lettered", "{event}", "Events dead-lettered, by reason.");
        HiddenFieldsDropped = _meter.CreateCounter<long>(
            "safeguard.stream.events.hidden_fields", "{event}", "Edits classified without the user or summary the wiki hides, by what was hidden (reason: User, Summary, \"User, Summary\").");
        Verdicts = _meter.CreateCounter<long>("safeguard.stream.verdicts", "{verdict}", "Verdicts by policy and outcome (ok, flagged, would_flag, error).");
        Flagged = _meter.CreateCounter<long>("safeguard.stream.flagged", "{verdict}", "Edits flagged, by policy (enforce mode only).");
        PreScreened = _meter.CreateCounter<long>(
            "safeguard.stream.prescreen.skipped", "{request}", "Model requests the pre-screen saved: an edit that cannot violate a policy, by policy and reason.");
        GateFailedOpen = _meter.CreateCounter<long>(
            "safeguard.stream.gate.failed_open", "{edit}", "Edits a revert-risk gate asked LiftWing to score and got no score for, so they went to the model, by reason (timeout, unavailable, circuit_open, http_error, malformed, unsupported_wiki).");
        GateDuration = _meter.CreateHistogram<double>("safeguard.stream.gate.duration", "s", "Time to LiftWing's revert-risk answer (or to giving up), per edit.");
        StageDuration = _meter.CreateHistogram<double>("safeguard.stream.stage.duration", "s", "Time an item spends in a stage.");
        StreamLag = _meter.CreateHistogram<double>("safeguard.stream.lag", "s", "Now minus the event's own time, when the worker reads it.");
        SseReconnects = _meter.CreateCounter<long>("safeguard.stream.sse.reconnects", "{reconnect}", "Reconnections to EventStreams.");
        WikiApiRequests = _meter.CreateCounter<long>(
            "safeguard.stream.wiki_api.requests", "{request}", "MediaWiki Action API requests on the wire (every attempt), by API action and outcome.");
        WikiApiResponseSize = _meter.CreateHistogram<long>(
            "safeguard.stream.wiki_api.response.size", "By", "Bytes of each MediaWiki Action API response body, after content decoding.");
        LlmDuration = _meter.CreateHistogram<double>("safeguard.stream.llm.duration", "s", "Time to a usable answer from the model, retries included, by policy.");
        LlmTokens = _meter.CreateCounter<long>("safeguard.stream.llm.tokens", "{token}", "Tokens by type (prompt, completion, cached) and policy.");
        KafkaDeliveries = _meter.CreateCounter<long>("safeguard.stream.kafka.deliveries", "{message}", "Kafka messages acknowledged or failed, by topic kind and outcome.");
        TaggerVerdicts = _meter.CreateCounter<long>(
            "safeguard.stream.tagger.verdicts", "{verdict}", "Verdicts the tagger read, by outcome (tagged, already_tagged, skipped, held, dead_lettered, ignored) and reason.");
        TaggerValveOpenings = _meter.CreateCounter<long>("safeguard.stream.tagger.valve_openings", "{valve}", "Safety valves this process opened, by wiki and policy.");
        _meter.CreateObservableGauge(
            "safeguard.stream.tagger.valve_open", () => _openValves?.Invoke() ?? [], "{valve}", "1 for each (wiki, policy) whose safety valve is open, as this tagger last saw it.");
        _meter.CreateObservableUpDownCounter("safeguard.stream.channel.depth", () => _channelDepths?.Invoke() ?? [], "{event}", "Items waiting in each stage's input channel.");
        _meter.CreateObservableGauge("safeguard.stream.llm.in_flight", () => _llmConcurrency?.Invoke().InFlight ?? 0, "{request}", "Model requests in flight.");
        _meter.CreateObservableGauge("safeguard.stream.llm.concurrency_limit", () => _llmConcurrency?.Invoke().Limit ?? 0, "{request}", "The adaptive limit on model requests in flight.");
        _meter.CreateObservableGauge("safeguard.stream.llm.server_waiting", ObserveServerWaiting, "{request}", "Requests waiting at the model server (vllm:num_requests_waiting, all clients), as the limiter last read it; absent while unread.");
        _meter.CreateObservableGauge("safeguard.stream.checkpoint.age", ObserveCheckpointAge, "s", "Seconds since the source position was last advanced.");
    }

    public ActivitySource ActivitySource { get; } = new(Name, typeof(SafeguardTelemetry).Assembly.GetName().Version?.ToString());

    public Counter<long> EventsReceived { get; }
    public Counter<long> StageProcessed { get; }
    public Counter<long> Skipped { get; }
    public Counter<long> DeadLettered { get; }
    public Counter<long> HiddenFieldsDropped { get; }
    public Counter<long> Verdicts { get; }
    public Counter<long> Flagged { get; }
    public Counter<long> PreScreened { get; }
    public Counter<long> GateFailedOpen { get; }
    public Histogram<double> GateDuration { get; }
    public Histogram<double> StageDuration { get; }
    public Histogram<double> StreamLag { get; }
    public Counter<long> SseReconnects { get; }
    public Counter<long> WikiApiRequests { get; }
    public Histogram<long> WikiApiResponseSize { get; }
    public Histogram<double> LlmDuration { get; }
    public Counter<long> LlmTokens { get; }
    public Counter<long> KafkaDeliveries { get; }
    public Counter<long> TaggerVerdicts { get; }
    public Counter<long> TaggerValveOpenings { get; }

    public void ObserveChannelDepths(Func<IEnumerable<Measurement<long>>> source) => _channelDepths = source;

    /// <summary>Where the open safety valves are read from (the tagger's state).</summary>
    public void ObserveOpenValves(Func<IEnumerable<Measurement<int>>> source) => _openValves = source;

    public void ObserveLlmConcurrency(Func<(int InFlight, int Limit)> source) => _llmConcurrency = source;

    /// <summary>Where the model server's queue is read from (null while no fresh reading exists).</summary>
    public void ObserveLlmServerQueue(Func<int?> source) => _llmServerWaiting = source;

    /// <summary>Called when the source position advanced (checkpoint saved or offsets stored).</summary>
    public void CheckpointAdvanced() => Interlocked.Exchange(ref _lastCheckpointTicks, _timeProvider.GetUtcNow().UtcTicks);

    public void Dispose()
    {
        ActivitySource.Dispose();
        _meter.Dispose();
    }

    private IEnumerable<Measurement<int>> ObserveServerWaiting() =>
        _llmServerWaiting?.Invoke() is { } waiting ? [new Measurement<int>(waiting)] : [];

    private IEnumerable<Measurement<double>> ObserveCheckpointAge()
    {
        var last = Interlocked.Read(ref _lastCheckpointTicks);
        return last == 0 ? [] : [new Measurement<double>((_timeProvider.GetUtcNow().UtcTicks - last) / (double)TimeSpan.TicksPerSecond)];
    }

    public static class Tags
    {
        public const string Stage = "safeguard.stage";
        public const string Outcome = "outcome";
        public const string Reason = "reason";
        public const string Policy = "safeguard.policy";
        public const string Wiki = "wiki";
        public const string ApiAction = "wiki_api.action";
        public const string TokenType = "gen_ai.token.type";
        public const string TopicKind = "messaging.destination.kind";
    }
}
