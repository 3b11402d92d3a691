namespace Safeguard.Stream.Core.Pipeline;

/// <summary>
/// Tracks out-of-order completion of contiguous sequence numbers. An event is released — handed back in sequence
/// order — only once it and every event before it have completed, so a checkpoint taken from released events can
/// repeat events on resume (at-least-once) but never skip one.
/// </summary>
public sealed class CompletionWatermark
{
    private readonly Dictionary<long, EventContext> _completedAhead = [];
    private readonly Lock _gate = new();
    private long _next = 1;

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

    /// <summary>Marks one event complete and appends to <paramref name="released"/> every event that is now contiguous.</summary>
    public void Complete(EventContext completed, List<EventContext> released)
    {
        ArgumentNullException.ThrowIfNull(completed);
        ArgumentNullException.ThrowIfNull(released);
        lock (_gate)
        {
            if (completed.Sequence < _next)
            {
                return;
            }

            _completedAhead[completed.Sequence] = completed;
            while (_completedAhead.Remove(_next, out var next))
            {
                released.Add(next);
                _next++;
            }
        }
    }
}
