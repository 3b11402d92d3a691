namespace Safeguard.Stream.Core.Routing;

/// <summary>
/// Remembers the last <c>capacity</c> (wiki, rev_id) pairs. Replays after a reconnect or a <c>since</c> start repeat
/// and reorder events; a bounded window catches those without growing forever. Not thread-safe: one ingest loop owns it.
/// </summary>
public sealed class DedupeWindow(int capacity)
{
    private readonly HashSet<(string Wiki, long RevId)> _seen = new(Math.Min(capacity, 1 << 16));
    private readonly Queue<(string Wiki, long RevId)> _order = new(Math.Min(capacity, 1 << 16));

    public int Count => _seen.Count;

    /// <summary>Records the pair; returns false when it was already seen within the window.</summary>
    public bool TryAdd(string wiki, long revId)
    {
        var key = (wiki, revId);
        if (!_seen.Add(key))
        {
            return false;
        }

        _order.Enqueue(key);
        if (_order.Count > capacity)
        {
            _seen.Remove(_order.Dequeue());
        }

        return true;
    }
}
