namespace Safeguard.Stream.Core.Pipeline;

/// <summary>
/// Where one event came from, carried once by every item that follows it through the pipeline: <see cref="Sequence"/>
/// is contiguous from 1 within a run, so the checkpoint can advance to the highest sequence below which everything
/// has completed; <see cref="Position"/> is what the source resumes from (the SSE id, a Kafka offset, a file line);
/// <see cref="Payload"/> is the raw event, kept for its dead letter.
/// </summary>
public record EventContext(long Sequence, string SourceName, string? Position, ReadOnlyMemory<byte> Payload)
{
    /// <summary>Line number in a replay file, so a dead letter can point at the bad line.</summary>
    public long? LineNumber { get; init; }

    /// <summary>The edit's trace, set by routing: every later stage's activity is a child of it, so one trace spans the pipeline.</summary>
    public ActivityContext TraceParent { get; init; }
}

/// <summary>One raw event as a source read it: its context, and what only the source can know about it.</summary>
public sealed record SourceEvent(long Sequence, string SourceName, string? Position, ReadOnlyMemory<byte> Payload)
    : EventContext(Sequence, SourceName, Position, Payload)
{
    /// <summary>The source already knows this payload is unusable (e.g. over the size cap): dead-letter it with this reason.</summary>
    public (string Reason, string Detail)? Rejection { get; init; }
}

/// <summary>An edit that passed triage, with the policies whose scope it is in.</summary>
public sealed record RoutedEdit(EventContext Context, EditEvent Edit, IReadOnlyList<Policy> Policies)
{
    public EnrichedEdit WithDiff(DiffText diff) => new(Context, Edit, Policies, diff);
}

/// <summary>A routed edit with its diff, ready to classify.</summary>
public sealed record EnrichedEdit(EventContext Context, EditEvent Edit, IReadOnlyList<Policy> Policies, DiffText Diff)
{
    /// <summary>
    /// LiftWing's revert risk, fetched only when one of <see cref="Policies"/> has a <see cref="Policy.Gate"/>; null
    /// when none has, or when the gate failed open (LiftWing down, slow or refusing).
    /// </summary>
    public RevertRiskScore? RevertRisk { get; init; }
}

/// <summary>
/// How an event ended. Every source event ends in exactly one of these: classified, skipped (reason) or dead-lettered (reason).
/// </summary>
public abstract record PipelineResult(EventContext Context)
{
    public long Sequence => Context.Sequence;
}

public sealed record ClassifiedResult(EventContext Context, EditEvent Edit, IReadOnlyList<PolicyVerdict> Verdicts) : PipelineResult(Context)
{
    /// <summary>The edit's revert risk (<see cref="EnrichedEdit.RevertRisk"/>), stored with every verdict; null when no gate asked for it or it failed open.</summary>
    public RevertRiskScore? RevertRisk { get; init; }
}

public sealed record SkippedResult(EventContext Context, EditEvent? Edit, string Reason) : PipelineResult(Context);

public sealed record DeadLetteredResult(EventContext Context, EditEvent? Edit, string Reason, string Detail) : PipelineResult(Context)
{
    /// <summary>
    /// The dead letter's key, the same in the Kafka topic and the <c>dead_letters</c> table: an edit is keyed by wiki
    /// and revision (<c>enwiki:123</c>); an unparsable payload by where it was in its source (<c>at:POSITION</c>).
    /// </summary>
    public string Key => Edit is { } edit
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{edit.WikiId}:{edit.RevId}")
        : "at:" + (Context.Position ?? Context.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
