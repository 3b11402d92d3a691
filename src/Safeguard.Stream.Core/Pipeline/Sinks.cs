namespace Safeguard.Stream.Core.Pipeline;

/// <summary>
/// A durable destination for results (Kafka, Postgres). <see cref="WriteAsync"/> returns only once the batch is
/// durably accepted; it must be idempotent, because after a crash the same results are written again.
/// </summary>
public interface IResultSink
{
    string Name { get; }

    Task WriteAsync(IReadOnlyList<PipelineResult> batch, CancellationToken cancellationToken);
}

/// <summary>Where a source's resume position and the skip counters are kept.</summary>
public interface ICheckpointStore
{
    Task<string?> LoadAsync(string sourceName, CancellationToken cancellationToken);

    /// <summary>
    /// Records, in one transaction, the new resume positions and the skips of a batch that both sinks confirmed.
    /// A crash before this call replays the batch: verdicts dedupe in the sinks, skip counts may be counted twice.
    /// </summary>
    Task CommitAsync(
        IReadOnlyDictionary<string, string> positions,
        IReadOnlyDictionary<(string Source, string Reason), long> skips,
        CancellationToken cancellationToken);
}

/// <summary>
/// What a source does with events that are fully published: the publish stage hands them over in sequence order,
/// with the skip counts of the same batch. SSE and file sources checkpoint the last position in Postgres; the
/// Kafka source stores per-partition offsets for its consumer group.
/// </summary>
public interface ISourceProgress
{
    Task AdvanceAsync(IReadOnlyList<EventContext> released, IReadOnlyDictionary<(string Source, string Reason), long> skips, CancellationToken cancellationToken);
}

/// <summary>Checkpoints the last released position of each source through an <see cref="ICheckpointStore"/>.</summary>
public sealed class CheckpointStoreProgress(ICheckpointStore store) : ISourceProgress
{
    public Task AdvanceAsync(IReadOnlyList<EventContext> released, IReadOnlyDictionary<(string Source, string Reason), long> skips, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(released);
        var positions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in released)
        {
            if (item.Position is { } position)
            {
                positions[item.SourceName] = position;
            }
        }

        return store.CommitAsync(positions, skips, cancellationToken);
    }
}

/// <summary>Completes when the publish stage has drained every result of a finite source (replay).</summary>
public sealed class PipelineCompletion
{
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Drained => _drained.Task;

    public void SetDrained() => _drained.TrySetResult();

    public void SetFailed(Exception error) => _drained.TrySetException(error);
}
