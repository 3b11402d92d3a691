using System.Collections.Concurrent;

namespace Safeguard.Stream.Core.Pipeline;

/// <summary>
/// Counts of how events ended, after both sinks confirmed them. Thread-safe. <see cref="Flagged"/> means what the
/// metrics and the moderators' view mean: flagged for moderators (enforce mode); shadow-mode policies' would-be flags
/// are <see cref="WouldFlag"/>.
/// </summary>
public sealed class PipelineTally
{
    private long _events;
    private long _classified;
    private long _verdicts;
    private long _flagged;
    private long _wouldFlag;
    private long _errorVerdicts;

    public ConcurrentDictionary<string, long> Skipped { get; } = new(StringComparer.Ordinal);
    public ConcurrentDictionary<string, long> DeadLettered { get; } = new(StringComparer.Ordinal);

    public long Events => Interlocked.Read(ref _events);
    public long Classified => Interlocked.Read(ref _classified);
    public long Verdicts => Interlocked.Read(ref _verdicts);
    public long Flagged => Interlocked.Read(ref _flagged);
    public long WouldFlag => Interlocked.Read(ref _wouldFlag);
    public long ErrorVerdicts => Interlocked.Read(ref _errorVerdicts);
    public long SkippedTotal => Skipped.Values.Sum();
    public long DeadLetteredTotal => DeadLettered.Values.Sum();

    public void Record(PipelineResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Interlocked.Increment(ref _events);
        switch (result)
        {
            case ClassifiedResult classified:
                Interlocked.Increment(ref _classified);
                Interlocked.Add(ref _verdicts, classified.Verdicts.Count);
                Interlocked.Add(ref _flagged, classified.Verdicts.Count(v => v.FlagsEdit));
                Interlocked.Add(ref _wouldFlag, classified.Verdicts.Count(v => v.Flagged && v.Mode == PolicyMode.Shadow));
                Interlocked.Add(ref _errorVerdicts, classified.Verdicts.Count(v => v.Status == VerdictStatus.Error));
                break;
            case SkippedResult skipped:
                Skipped.AddOrUpdate(skipped.Reason, 1, (_, n) => n + 1);
                break;
            case DeadLetteredResult dead:
                DeadLettered.AddOrUpdate(dead.Reason, 1, (_, n) => n + 1);
                break;
        }
    }
}
