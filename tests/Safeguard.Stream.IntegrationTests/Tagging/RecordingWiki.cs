using System.Collections.Concurrent;
using Safeguard.Stream.Core.Tagging;

namespace Safeguard.Stream.IntegrationTests.Tagging;

/// <summary>
/// A FAKE <see cref="IWikiTagger"/> for the consumer's tests, written here on purpose: the real tag client (the
/// MediaWiki project's <c>WikiTagClient</c>) is tested against a real MediaWiki in its own tests. This one keeps the
/// tags it applied and answers as MediaWiki's <c>action=tag</c> does: <c>success</c> once, <c>noop</c> after, and the
/// faults a test sets (an undefined tag, a missing right, a gone revision, "later", a refusal).
/// </summary>
internal sealed class RecordingWiki : IWikiTagger
{
    private readonly ConcurrentDictionary<(string Wiki, long Rev, string Tag), int> _applied = new();
    private readonly ConcurrentDictionary<long, int> _retryableLeft = new();
    private int _requests;
    private int _noops;

    public ConcurrentQueue<TagRequest> Requests { get; } = new();
    public ConcurrentDictionary<(string Wiki, string Tag), bool> UndefinedTags { get; } = new();
    public ConcurrentDictionary<string, bool> DeniedWikis { get; } = new();
    public ConcurrentDictionary<long, bool> GoneRevisions { get; } = new();
    public ConcurrentDictionary<long, bool> RefusedRevisions { get; } = new();

    /// <summary>Called after a tag is applied and before the answer returns: a test "crashes" the tagger there.</summary>
    public Func<TagRequest, CancellationToken, Task>? AfterApply { get; set; }

    public int RequestCount => Volatile.Read(ref _requests);
    public int Noops => Volatile.Read(ref _noops);

    /// <summary>How many times each (wiki, revision, tag) was applied (success answers): 1 in effect.</summary>
    public IReadOnlyDictionary<(string Wiki, long Rev, string Tag), int> Applied => _applied;

    public void AnswerLater(long revId, int times) => _retryableLeft[revId] = times;

    public async Task<TagOutcome> TagAsync(TagRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _requests);
        Requests.Enqueue(request);
        if (_retryableLeft.TryGetValue(request.RevId, out var left) && left > 0)
        {
            _retryableLeft[request.RevId] = left - 1;
            return new TagOutcome(TagOutcomeKind.Retryable, "maxlag", "Waiting for 10.0.0.1: 6 seconds lagged");
        }

        if (DeniedWikis.ContainsKey(request.WikiId))
        {
            return new TagOutcome(TagOutcomeKind.PermissionDenied, "permissiondenied", "the bot lacks the right 'applychangetags' (grant: 'Tag pages and revisions')");
        }

        if (UndefinedTags.ContainsKey((request.WikiId, request.Tag)))
        {
            return new TagOutcome(TagOutcomeKind.TagUndefined, "badtags", $"The tag \"{request.Tag}\" is not allowed to be manually applied.");
        }

        if (GoneRevisions.ContainsKey(request.RevId))
        {
            return new TagOutcome(TagOutcomeKind.RevisionGone, "nosuchrevid", "There is no revision with ID " + request.RevId);
        }

        if (RefusedRevisions.ContainsKey(request.RevId))
        {
            return new TagOutcome(TagOutcomeKind.Failed, "tags-update-blocked", "You cannot update tags while blocked.");
        }

        var key = (request.WikiId, request.RevId, request.Tag);
        if (_applied.ContainsKey(key))
        {
            Interlocked.Increment(ref _noops);
            return new TagOutcome(TagOutcomeKind.AlreadyTagged, "noop");
        }

        _applied[key] = _applied.GetValueOrDefault(key) + 1;
        if (AfterApply is { } after)
        {
            await after(request, cancellationToken);
        }

        return new TagOutcome(TagOutcomeKind.Applied);
    }
}
