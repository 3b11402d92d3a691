namespace Safeguard.Stream.Core.Routing;

/// <summary>
/// Tells an identity revert from the content hashes a stream carries: an edit whose <c>rev_sha1</c> equals one of the
/// page's recent revisions' (A → B → A) restores an earlier text, as MediaWiki's own <c>mw-manual-revert</c> tag says —
/// which page_change events do not carry. Per page it remembers the hashes of the last <see cref="Radius"/> revisions
/// it saw (each edit's own and its prior state's, so one event is enough to know the revision it replaced); pages are
/// forgotten least recently edited first beyond <c>capacity</c>. Not thread-safe: one triage loop owns it.
/// </summary>
public sealed class IdentityRevertWindow(int capacity)
{
    /// <summary>How many revisions back a revert is looked for: MediaWiki's <c>$wgManualRevertSearchRadius</c> default.</summary>
    public const int Radius = 15;

    private readonly Dictionary<(string Wiki, long PageId), LinkedListNode<PageHashes>> _pages = [];
    private readonly LinkedList<PageHashes> _recency = new();

    public int Count => _pages.Count;

    /// <summary>
    /// Records the edit's hashes; true when its content equals a recent earlier revision of the page other than the
    /// one it replaced (an edit that changes nothing is not a revert). False without a hash or with a zero capacity.
    /// </summary>
    public bool Observe(string wikiId, long pageId, string? sha1, string? priorSha1)
    {
        if (capacity <= 0 || string.IsNullOrEmpty(sha1))
        {
            return false;
        }

        var key = (wikiId, pageId);
        if (_pages.TryGetValue(key, out var node))
        {
            _recency.Remove(node);
            _recency.AddFirst(node);
        }
        else
        {
            node = _recency.AddFirst(new PageHashes(key));
            _pages[key] = node;
            if (_pages.Count > capacity)
            {
                _pages.Remove(_recency.Last!.Value.Key);
                _recency.RemoveLast();
            }
        }

        var hashes = node.Value.Hashes;
        var revert = !string.Equals(sha1, priorSha1, StringComparison.Ordinal) && hashes.Contains(sha1, StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(priorSha1) && (hashes.Count == 0 || !string.Equals(hashes[^1], priorSha1, StringComparison.Ordinal)))
        {
            Remember(hashes, priorSha1);
        }

        Remember(hashes, sha1);
        return revert;
    }

    private static void Remember(List<string> hashes, string sha1)
    {
        hashes.Add(sha1);
        if (hashes.Count > Radius)
        {
            hashes.RemoveAt(0);
        }
    }

    private sealed record PageHashes((string Wiki, long PageId) Key)
    {
        public List<string> Hashes { get; } = new(4);
    }
}
