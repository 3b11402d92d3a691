using System.Diagnostics;
using Safeguard.Stream.Core.Diffs;
using Safeguard.Stream.Core.Events;
using Safeguard.Stream.Core.Policies;
using Safeguard.Stream.Core.Verdicts;

namespace Safeguard.Stream.Core.Pipeline;

/// <summary>
/// One raw event as a source read it. <see cref="Sequence"/> is contiguous from 1 within a run, so the checkpoint
/// can advance to the highest sequence below which everything has completed; <see cref="Position"/> is what the
/// source resumes from (the SSE id, a Kafka offset, a file line).
/// </summary>
public sealed record SourceEvent(long Sequence, string SourceName, string? Position, ReadOnlyMemory<byte> Payload)
{
    /// <summary>Line number in a replay file, so a dead letter can point at the bad line.</summary>
    public long? LineNumber { get; init; }

    /// <summary>The source already knows this payload is unusable (e.g. over the size cap): dead-letter it with this reason.</summary>
    public (string Reason, string Detail)? Rejection { get; init; }
}

public sealed record RoutedEdit(SourceEvent Source, EditEvent Edit, IReadOnlyList<Policy> Policies)
{
    /// <summary>The edit's trace: every later stage's activity is a child of it, so one trace spans the pipeline.</summary>
    public ActivityContext TraceParent { get; init; }
}

public sealed record EnrichedEdit(RoutedEdit Routed, DiffText Diff)
{
    public EditEvent Edit => Routed.Edit;
}

/// <summary>
/// How an event ended. Every source event ends in exactly one of these: classified, skipped (reason) or dead-lettered (reason).
/// </summary>
public abstract record PipelineResult(SourceEvent Source)
{
    public long Sequence => Source.Sequence;
}

public sealed record ClassifiedResult(EnrichedEdit Enriched, IReadOnlyList<PolicyVerdict> Verdicts) : PipelineResult(Enriched.Routed.Source)
{
    public EditEvent Edit => Enriched.Edit;
}

public sealed record SkippedResult(SourceEvent Source, EditEvent? Edit, string Reason) : PipelineResult(Source);

public sealed record DeadLetteredResult(SourceEvent Source, EditEvent? Edit, string Reason, string Detail) : PipelineResult(Source)
{
    /// <summary>
    /// The dead letter's key, the same in the Kafka topic and the <c>dead_letters</c> table: an edit is keyed by wiki
    /// and revision (<c>enwiki:123</c>); an unparsable payload by where it was in its source (<c>at:POSITION</c>).
    /// </summary>
    public string Key => Edit is { } edit
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{edit.WikiId}:{edit.RevId}")
        : "at:" + (Source.Position ?? Source.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
