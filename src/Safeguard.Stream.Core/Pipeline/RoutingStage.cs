namespace Safeguard.Stream.Core.Pipeline;

/// <summary>
/// Triages raw events (<see cref="EditTriage"/>: parse, canaries and duplicates dropped, filters and policy scopes)
/// and hands each routed edit on with its trace. Unparsable events are dead-lettered with the field named; skips carry
/// their reason. Single reader, so the dedupe window needs no lock.
/// </summary>
public sealed partial class RoutingStage(
    PipelineChannels channels,
    EditRouter router,
    IOptions<FilterOptions> filterOptions,
    SafeguardTelemetry telemetry,
    TimeProvider timeProvider,
    RevisionRedactor redactor,
    ILogger<RoutingStage> logger) : BackgroundService
{
    private readonly PipelineChannels.ResultWriter _results = channels.AddResultWriter();
    private readonly EditTriage _triage = new(router, filterOptions.Value);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => StageLoop.RunAsync(
        () => StageLoop.ForEachAsync(channels.Raw.Reader, RouteAsync, stoppingToken),
        ex => Log.StageFailed(logger, ex), _results, channels.Routed.Writer, stoppingToken);

    internal async ValueTask RouteAsync(SourceEvent raw, CancellationToken cancellationToken)
    {
        telemetry.EventsReceived.Add(1);
        var decision = _triage.Triage(raw);
        if (decision.Edit is { } parsed && decision.Reason != SkipReason.Duplicate)
        {
            telemetry.StreamLag.Record(Math.Max(0, (timeProvider.GetUtcNow() - parsed.EventTime).TotalSeconds));
        }

        switch (decision.Outcome)
        {
            case TriageOutcome.DeadLetter:
                await DeadLetterAsync(raw, decision.Edit, decision.Reason!, decision.Detail ?? "unparsable", cancellationToken);
                return;
            case TriageOutcome.Skip:
                await SkipAsync(raw, decision.Edit, decision.Reason!, cancellationToken);
                return;
            case TriageOutcome.VisibilityChange:
                await FollowVisibilityChangeAsync(raw, decision.Edit!, decision.Edit!.VisibilityChange!, cancellationToken);
                return;
        }

        var edit = decision.Edit!;
        // One trace per edit: this consumer span is the parent of the enrich, classify and publish spans.
        // Ids are fine in traces (not in metrics); edit text never goes into tags.
        using var activity = telemetry.ActivitySource.StartActivity("receive edit", ActivityKind.Consumer);
        if (activity?.IsAllDataRequested == true)
        {
            activity.SetTag("wiki", edit.WikiId);
            activity.SetTag("safeguard.rev_id", edit.RevId);
            activity.SetTag("safeguard.policies", decision.Policies.Count);
        }

        telemetry.StageProcessed.Add(1, new KeyValuePair<string, object?>(SafeguardTelemetry.Tags.Stage, "route"), new(SafeguardTelemetry.Tags.Outcome, "success"));
        await channels.Routed.Writer.WriteAsync(new RoutedEdit(raw with { TraceParent = activity?.Context ?? default }, edit, decision.Policies), cancellationToken);
    }

    /// <summary>
    /// A revision deletion on the wiki: what we derived from the revision is redacted (audit rows, events), then the
    /// event is counted as a <c>visibility_change</c> skip. A redaction that fails is dead-lettered
    /// (<c>redaction_failed</c>), so it can be done again with <c>safeguard db redact</c>.
    /// </summary>
    private async ValueTask FollowVisibilityChangeAsync(SourceEvent raw, EditEvent edit, VisibilityChange visibility, CancellationToken cancellationToken)
    {
        if (visibility.Hides)
        {
            var reason = visibility.TextHidden ? visibility.Suppressed ? RedactionReason.TextSuppressed : RedactionReason.TextHidden : RedactionReason.UserOrSummaryHidden;
            var trigger = edit.SchemaUri.StartsWith("/mediawiki/page/change/", StringComparison.Ordinal) ? RedactionTrigger.PageChange : RedactionTrigger.RecentChange;
            foreach (var revId in visibility.RevIds)
            {
                try
                {
                    await redactor.RedactAsync(new RedactionRequest(edit.WikiId, revId, reason, trigger), cancellationToken);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    await DeadLetterAsync(raw, edit with { RevId = revId }, SkipReason.RedactionFailed, $"redacting {edit.WikiId}:{revId} failed: {ex.GetType().Name}", cancellationToken);
                    return;
                }
            }
        }

        await SkipAsync(raw, edit, SkipReason.VisibilityChange, cancellationToken);
    }

    private async ValueTask SkipAsync(SourceEvent raw, EditEvent? edit, string reason, CancellationToken cancellationToken)
    {
        telemetry.Skipped.Add(1, new KeyValuePair<string, object?>(SafeguardTelemetry.Tags.Reason, reason));
        await channels.Results.Writer.WriteAsync(new SkippedResult(raw, edit, reason), cancellationToken);
    }

    private async ValueTask DeadLetterAsync(SourceEvent raw, EditEvent? edit, string reason, string detail, CancellationToken cancellationToken)
    {
        Log.DeadLettered(logger, raw.SourceName, raw.Position, reason);
        telemetry.DeadLettered.Add(1, new KeyValuePair<string, object?>(SafeguardTelemetry.Tags.Reason, reason));
        await channels.Results.Writer.WriteAsync(new DeadLetteredResult(raw, edit, reason, detail), cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 101, EventName = "EventDeadLettered", Level = LogLevel.Warning,
            Message = "Event from {Source} at {Position} dead-lettered: {Reason}")]
        public static partial void DeadLettered(ILogger logger, string source, string? position, string reason);

        [LoggerMessage(EventId = 102, EventName = "RoutingStageFailed", Level = LogLevel.Critical, Message = "Routing stage failed")]
        public static partial void StageFailed(ILogger logger, Exception exception);
    }
}
