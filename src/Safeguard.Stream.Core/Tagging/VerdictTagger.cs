using System.Diagnostics.Metrics;
using Polly.Retry;

namespace Safeguard.Stream.Core.Tagging;

/// <summary>
/// Turns one verdict from the topic into one counted outcome (<see cref="TaggingResult"/>): selection
/// (<see cref="TagSelection"/>), the safety valve (<see cref="SafetyValveRule"/>, its opening stored in
/// <see cref="ITaggingStore"/>), the tag request (<see cref="IWikiTagger"/>) and what its answer means
/// (<see cref="TagOutcomeActions"/>). The caller (the Kafka consumer) moves its offset past the verdict only after this
/// returns, so a wiki answer that says "later", a store or a dead-letter sink that fails, is retried here (the outage
/// backoff, pipeline <see cref="RetryPipelineKey"/>) and holds the partition. Verdicts that may not be tagged now (valve
/// open, tag undefined, permission denied) are held in the store, never lost; <see cref="ResumeHeldAsync"/> tries those
/// of paused tags and stopped wikis again.
/// </summary>
public sealed partial class VerdictTagger
{
    /// <summary>The retry of a tag request the wiki answered "later", and of the store and dead-letter writes.</summary>
    public const string RetryPipelineKey = "safeguard-tagger-retry";

    /// <summary>Dead letters of the tagger carry this source name (with the policy), so their keys differ from the pipeline's.</summary>
    public const string SourceName = "tagger";

    private readonly IWikiTagger _wiki;
    private readonly ITaggingStore _store;
    private readonly IReadOnlyList<Policy> _policies;
    private readonly TaggerOptions _options;
    private readonly IResultSink[] _deadLetterSinks;
    private readonly TaggerState _state;
    private readonly TaggerTally _tally;
    private readonly TimeProvider _time;
    private readonly SafeguardTelemetry _telemetry;
    private readonly ResiliencePipeline _retry;
    private readonly ILogger<VerdictTagger> _logger;
    private readonly SafetyValveRule _valve;

    public VerdictTagger(
        IWikiTagger wiki,
        ITaggingStore store,
        IPolicyCatalog catalog,
        IOptions<TaggerOptions> options,
        IEnumerable<IResultSink> deadLetterSinks,
        TaggerState state,
        TaggerTally tally,
        TimeProvider timeProvider,
        SafeguardTelemetry telemetry,
        [FromKeyedServices(RetryPipelineKey)] ResiliencePipeline retry,
        ILogger<VerdictTagger> logger)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        _wiki = wiki;
        _store = store;
        _policies = catalog.Policies;
        _options = options.Value;
        _deadLetterSinks = [.. deadLetterSinks];
        _state = state;
        _tally = tally;
        _time = timeProvider;
        _telemetry = telemetry;
        _retry = retry;
        _logger = logger;
        _valve = new SafetyValveRule(_options);
        telemetry.ObserveOpenValves(() => state.OpenValves.Select(v => new Measurement<int>(1,
            new KeyValuePair<string, object?>(SafeguardTelemetry.Tags.Wiki, v.WikiId), new KeyValuePair<string, object?>(SafeguardTelemetry.Tags.Policy, v.PolicyId))));
    }

    /// <summary>The retry: the outage backoff from <see cref="TaggerOptions.RetryFirstDelay"/>, for every failure but cancellation.</summary>
    public static void ConfigureRetry(ResiliencePipelineBuilder pipeline, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(services);
        var logger = services.GetRequiredService<ILogger<VerdictTagger>>();
        var retry = new RetryStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null and not OperationCanceledException),
            OnRetry = args =>
            {
                Log.RetryScheduled(logger, args.Outcome.Exception!.Message, args.AttemptNumber + 1, args.RetryDelay);
                return default;
            },
        };
        OutageBackoff.Apply(retry, services.GetRequiredService<IOptions<TaggerOptions>>().Value.RetryFirstDelay);
        pipeline.AddRetry(retry);
        OutageBackoff.UseStageLogging(pipeline, services);
    }

    /// <summary>Loads the open valves (for health and metrics) before the first verdict.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var valves = await _retry.ExecuteAsync(static (store, ct) => new ValueTask<IReadOnlyList<ValveState>>(store.ListValvesAsync(ct)), _store, cancellationToken);
        foreach (var valve in valves.Where(v => v.Open))
        {
            _state.ValveOpened(valve.WikiId, valve.PolicyId, valve.Reason ?? "opened earlier");
        }
    }

    /// <summary>One verdict event, from <paramref name="position"/> (topic/partition/offset, for dead letters), to its outcome.</summary>
    public async Task<TaggingResult> HandleAsync(ReadOnlyMemory<byte> payload, string position, CancellationToken cancellationToken)
    {
        if (!PublishedVerdict.TryRead(payload, out var verdict, out var error))
        {
            await DeadLetterAsync(new SourceEvent(0, SourceName, position, payload), null, TagSkipReason.MalformedVerdict, error, cancellationToken);
            return Count(new TaggingResult(TaggingDisposition.DeadLettered, TagSkipReason.MalformedVerdict), null, null);
        }

        var selection = TagSelection.Select(verdict!, _policies, _options);
        if (selection is not TagSelection.Candidate { Policy: var policy })
        {
            return Count(new TaggingResult(TaggingDisposition.Ignored, ((TagSelection.Ignored)selection).Reason), verdict, null);
        }

        await FeedValveAsync(verdict!, cancellationToken);
        if (verdict!.Status != PublishedVerdict.StatusOk)
        {
            return Count(new TaggingResult(TaggingDisposition.Ignored, TagSkipReason.VerdictError), verdict, policy);
        }

        if (!verdict.Flagged)
        {
            return Count(new TaggingResult(TaggingDisposition.Ignored, TagSkipReason.NotFlagged), verdict, policy);
        }

        var held = new HeldTag(verdict.WikiId, verdict.Domain, verdict.RevId, policy.Id, verdict.PolicyVersion, policy.ChangeTag, TagSkipReason.ValveOpen, null);
        if (await IsValveOpenAsync(verdict.WikiId, policy.Id, cancellationToken))
        {
            await HoldAsync(held, cancellationToken);
            return Count(new TaggingResult(TaggingDisposition.Held, TagSkipReason.ValveOpen), verdict, policy);
        }

        if (_state.Blocked(verdict.WikiId, policy.ChangeTag) is { } blocked)
        {
            await HoldAsync(held with { HeldFor = blocked }, cancellationToken);
            return Count(new TaggingResult(TaggingDisposition.Held, blocked), verdict, policy);
        }

        var result = await TagAsync(held, payload, position, cancellationToken);
        return Count(result, verdict, policy);
    }

    /// <summary>
    /// Tries again the verdicts held for a paused tag or a stopped wiki (after <c>safeguard tags create</c>, or a right
    /// granted); those that now have an outcome leave the store. Returns how many did.
    /// </summary>
    public async Task<int> ResumeHeldAsync(CancellationToken cancellationToken)
    {
        var released = 0;
        foreach (var heldFor in new[] { TagSkipReason.PermissionDenied, TagSkipReason.TagUndefined })
        {
            var held = await _retry.ExecuteAsync(
                static (state, ct) => new ValueTask<IReadOnlyList<HeldTag>>(state.Store.ListHeldAsync(state.HeldFor, 1000, ct)), (Store: _store, HeldFor: heldFor), cancellationToken);
            var stillBlocked = new HashSet<(string, string)>();
            foreach (var item in held)
            {
                if (stillBlocked.Contains((item.WikiId, item.Tag)) || await IsValveOpenAsync(item.WikiId, item.PolicyId, cancellationToken))
                {
                    continue;
                }

                _state.Resume(item.WikiId, item.Tag);
                var result = await TagAsync(item, null, null, cancellationToken);
                if (result.Disposition == TaggingDisposition.Held)
                {
                    stillBlocked.Add((item.WikiId, item.Tag));
                    continue;
                }

                await _retry.ExecuteAsync(static async (state, ct) => await state.Store.ReleaseAsync(state.Item, ct), (Store: _store, Item: item), cancellationToken);
                // Counted again, as what became of it: a held verdict that is tagged now says "resumed".
                Count(result with { Reason = result.Reason ?? "resumed" }, null, null);
                released++;
            }
        }

        return released;
    }

    private async Task FeedValveAsync(PublishedVerdict verdict, CancellationToken cancellationToken)
    {
        if (_state.IsValveOpen(verdict.WikiId, verdict.PolicyId))
        {
            return;
        }

        var entry = new ValveVerdict(verdict.WikiId, verdict.PolicyId, verdict.RevId, verdict.Flagged, verdict.Status == PublishedVerdict.StatusError, _time.GetUtcNow());
        var window = await _retry.ExecuteAsync(
            static (state, ct) => new ValueTask<WindowCounts>(state.Store.RecordInWindowAsync(state.Entry, state.Options.WindowSize, state.Options.WindowDuration, ct)),
            (Store: _store, Entry: entry, Options: _options), cancellationToken);
        if (_valve.Evaluate(verdict.WikiId, verdict.PolicyId, window) is not { } trip)
        {
            return;
        }

        var opened = await _retry.ExecuteAsync(static (state, ct) => new ValueTask<bool>(state.Store.OpenValveAsync(state.Trip, ct)), (Store: _store, Trip: trip), cancellationToken);
        _state.ValveOpened(trip.WikiId, trip.PolicyId, trip.Reason);
        if (opened)
        {
            _telemetry.TaggerValveOpenings.Add(1,
                new KeyValuePair<string, object?>(SafeguardTelemetry.Tags.Wiki, trip.WikiId), new KeyValuePair<string, object?>(SafeguardTelemetry.Tags.Policy, trip.PolicyId));
            Log.ValveOpened(_logger, trip.WikiId, trip.PolicyId, trip.Reason);
        }
    }

    /// <summary>The store's word, every time: another replica may have opened the valve, an operator re-armed it.</summary>
    private async Task<bool> IsValveOpenAsync(string wikiId, string policyId, CancellationToken cancellationToken)
    {
        var open = await _retry.ExecuteAsync(
            static (state, ct) => new ValueTask<bool>(state.Store.IsValveOpenAsync(state.WikiId, state.PolicyId, ct)), (Store: _store, WikiId: wikiId, PolicyId: policyId), cancellationToken);
        if (open)
        {
            if (!_state.IsValveOpen(wikiId, policyId))
            {
                _state.ValveOpened(wikiId, policyId, "opened by another tagger");
            }
        }
        else if (_state.ValveClosed(wikiId, policyId))
        {
            // Re-armed (the reset emptied the shared window).
            Log.ValveRearmed(_logger, wikiId, policyId);
        }

        return open;
    }

    private async Task<TaggingResult> TagAsync(HeldTag item, ReadOnlyMemory<byte>? payload, string? position, CancellationToken cancellationToken)
    {
        var policy = _policies.FirstOrDefault(p => p.Id == item.PolicyId);
        var reason = policy is null
            ? $"Safeguard.Stream: flagged under the policy {item.PolicyId}; review: {TagSelection.ReviewLink(_options.ReviewUrl, item.WikiId, item.RevId, item.PolicyId)}"
            : TagSelection.TagReason(policy, item.PolicyVersion, _options.ReviewUrl, item.WikiId, item.RevId);
        var request = new TagRequest(item.WikiId, item.Domain, item.RevId, item.Tag, reason);
        var outcome = await _retry.ExecuteAsync(static async (state, ct) =>
        {
            var answer = await state.Wiki.TagAsync(state.Request, ct);
            return answer.Kind == TagOutcomeKind.Retryable ? throw new TagRetryException(answer) : answer;
        }, (Wiki: _wiki, Request: request), cancellationToken);

        switch (TagOutcomeActions.For(outcome.Kind))
        {
            case TagOutcomeAction.Done:
                return new TaggingResult(outcome.Kind == TagOutcomeKind.Applied ? TaggingDisposition.Tagged : TaggingDisposition.AlreadyTagged);
            case TagOutcomeAction.PauseTag:
                _state.Pause(item.WikiId, item.Domain, item.Tag, outcome.Detail ?? outcome.Code ?? "badtags");
                Log.TagPaused(_logger, item.WikiId, item.Tag, outcome.Detail ?? outcome.Code, item.Domain);
                await HoldAsync(item with { HeldFor = TagSkipReason.TagUndefined, Detail = outcome.Detail ?? outcome.Code }, cancellationToken);
                return new TaggingResult(TaggingDisposition.Held, TagSkipReason.TagUndefined);
            case TagOutcomeAction.StopWiki:
                _state.Stop(item.WikiId, outcome.Detail ?? outcome.Code ?? "permissiondenied");
                Log.WikiStopped(_logger, item.WikiId, outcome.Detail ?? outcome.Code);
                await HoldAsync(item with { HeldFor = TagSkipReason.PermissionDenied, Detail = outcome.Detail ?? outcome.Code }, cancellationToken);
                return new TaggingResult(TaggingDisposition.Held, TagSkipReason.PermissionDenied);
            case TagOutcomeAction.Skip:
                return new TaggingResult(TaggingDisposition.Skipped, outcome.Code ?? "revision_gone");
            default:
                var edit = new EditEvent
                {
                    SchemaUri = "/mediawiki/page/safeguard_classification_change/1.0.0",
                    Stream = SourceName,
                    Domain = item.Domain,
                    WikiId = item.WikiId,
                    RevId = item.RevId,
                    Kind = EditKind.Edit,
                    SourceKind = "verdict",
                    PageTitle = "-",
                    Namespace = 0,
                    EventTime = _time.GetUtcNow(),
                };
                var source = new SourceEvent(0, SourceName + ":" + item.PolicyId, position, payload ?? ReadOnlyMemory<byte>.Empty);
                await DeadLetterAsync(source, edit, TagSkipReason.TagFailed, $"{item.Tag}: {outcome.Code}: {outcome.Detail}", cancellationToken);
                return new TaggingResult(TaggingDisposition.DeadLettered, TagSkipReason.TagFailed);
        }
    }

    private Task HoldAsync(HeldTag held, CancellationToken cancellationToken) =>
        _retry.ExecuteAsync(static async (state, ct) => await state.Store.HoldAsync(state.Held, ct), (Store: _store, Held: held), cancellationToken).AsTask();

    /// <summary>The existing dead-letter table and topic, through the pipeline's own sinks (same keys and payload cut).</summary>
    private async Task DeadLetterAsync(SourceEvent source, EditEvent? edit, string reason, string detail, CancellationToken cancellationToken)
    {
        IReadOnlyList<PipelineResult> batch = [new DeadLetteredResult(source, edit, reason, detail)];
        foreach (var sink in _deadLetterSinks)
        {
            await _retry.ExecuteAsync(static async (state, ct) => await state.Sink.WriteAsync(state.Batch, ct), (Sink: sink, Batch: batch), cancellationToken);
        }

        _telemetry.DeadLettered.Add(1, new KeyValuePair<string, object?>(SafeguardTelemetry.Tags.Reason, reason));
    }

    private TaggingResult Count(TaggingResult result, PublishedVerdict? verdict, Policy? policy)
    {
        var tags = new TagList
        {
            { SafeguardTelemetry.Tags.Outcome, OutcomeName(result.Disposition) },
            { SafeguardTelemetry.Tags.Reason, result.Reason ?? string.Empty },
        };
        if (policy is not null && verdict is not null)
        {
            tags.Add(SafeguardTelemetry.Tags.Wiki, verdict.WikiId);
            tags.Add(SafeguardTelemetry.Tags.Policy, policy.Id);
        }

        _telemetry.TaggerVerdicts.Add(1, tags);
        _tally.Record(result);
        return result;
    }

    /// <summary>The outcome's name in metrics and summaries.</summary>
    public static string OutcomeName(TaggingDisposition disposition) => disposition switch
    {
        TaggingDisposition.Tagged => "tagged",
        TaggingDisposition.AlreadyTagged => "already_tagged",
        TaggingDisposition.Skipped => "skipped",
        TaggingDisposition.Held => "held",
        TaggingDisposition.DeadLettered => "dead_lettered",
        _ => "ignored",
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 130, EventName = "ValveOpened", Level = LogLevel.Error,
            Message = "Safety valve opened for {WikiId}/{PolicyId}: {Reason}; tagging of that pair stopped until `safeguard tagger valve --wiki {WikiId} --policy {PolicyId} --reset`")]
        public static partial void ValveOpened(ILogger logger, string wikiId, string policyId, string reason);

        [LoggerMessage(EventId = 131, EventName = "ValveRearmed", Level = LogLevel.Warning, Message = "Safety valve for {WikiId}/{PolicyId} was re-armed; tagging resumes")]
        public static partial void ValveRearmed(ILogger logger, string wikiId, string policyId);

        [LoggerMessage(EventId = 132, EventName = "TagPaused", Level = LogLevel.Error,
            Message = "Tag {Tag} is not defined on {WikiId} ({Detail}); tagging paused for it, verdicts held: run `safeguard tags create --wiki {Domain}`")]
        public static partial void TagPaused(ILogger logger, string wikiId, string tag, string? detail, string domain);

        [LoggerMessage(EventId = 133, EventName = "WikiStopped", Level = LogLevel.Error,
            Message = "Permission denied on {WikiId} ({Detail}); tagging on that wiki stopped, verdicts held until the bot has the right")]
        public static partial void WikiStopped(ILogger logger, string wikiId, string? detail);

        [LoggerMessage(EventId = 134, EventName = "TagRetry", Level = LogLevel.Warning, Message = "Tagger: {Problem} (attempt {Attempt}); retrying in {Backoff}")]
        public static partial void RetryScheduled(ILogger logger, string problem, int attempt, TimeSpan backoff);
    }
}

/// <summary>A wiki answer that says "later" (5xx, maxlag, timeouts past the client's own retries), thrown so the retry pipeline waits and tries again.</summary>
public sealed class TagRetryException(TagOutcome outcome) : Exception($"the wiki answered {outcome.Code ?? "retryable"}: {outcome.Detail}")
{
    public TagOutcome Outcome { get; } = outcome;
}
