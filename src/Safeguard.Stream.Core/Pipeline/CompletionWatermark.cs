namespace Safeguard.Stream.Core.Pipeline;

/// <summary>
/// Tracks out-of-order completion of contiguous sequence numbers and reports the position of the highest
/// sequence below which every event has completed. Only that position may be checkpointed: resuming from it
/// can repeat events (at-least-once) but never skips one.
/// </summary>
public sealed class CompletionWatermark
{
    private readonly Dictionary<long, string?> _completedAhead = [];
    private readonly Lock _gate = new();
    private long _next = 1;
    private string? _position;

    public long CompletedThrough
    {
        get
        {
            lock (_gate)
            {
                return _next - 1;
            }
        }
    }

    public int PendingOutOfOrder
    {
        get
        {
            lock (_gate)
            {
                return _completedAhead.Count;
            }
        }
    }

    /// <summary>Marks one sequence complete. Returns the new checkpoint position if the watermark advanced.</summary>
    public bool Complete(long sequence, string? position, out string? checkpoint)
    {
        lock (_gate)
        {
            if (sequence < _next)
            {
                checkpoint = null;
                return false;
            }

            _completedAhead[sequence] = position;
            var advanced = false;
            while (_completedAhead.Remove(_next, out var reached))
            {
                _position = reached ?? _position;
                _next++;
                advanced = true;
            }

            checkpoint = advanced ? _position : null;
            return advanced;
        }
    }
}
