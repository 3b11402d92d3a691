namespace Safeguard.Stream.Core.Tagging;

/// <summary>
/// One change tag to put on one revision: <c>action=tag&amp;revid=RevId&amp;add=Tag&amp;reason=Reason</c> on the wiki
/// at <c>https://{Domain}/w/api.php</c>. The reason names the policy and links to the review page; it never carries a
/// rationale.
/// </summary>
public sealed record TagRequest(string WikiId, string Domain, long RevId, string Tag, string Reason);

/// <summary>What the tagger must do after one <see cref="TagRequest"/>. Every wiki answer maps to exactly one.</summary>
public enum TagOutcomeKind
{
    /// <summary><c>status: success</c> with the tag in <c>added</c>: done.</summary>
    Applied,

    /// <summary><c>noop</c>: the revision already carries the tag (a restart re-applying): done.</summary>
    AlreadyTagged,

    /// <summary><c>badtags</c>: the tag is not defined (or not active) on that wiki: pause tagging for (wiki, tag).</summary>
    TagUndefined,

    /// <summary><c>permissiondenied</c> (or a failed login): stop tagging on that wiki; <see cref="TagOutcome.Detail"/> names the right or grant.</summary>
    PermissionDenied,

    /// <summary><c>nosuchrevid</c>, or the revision's text is hidden or suppressed: skip; <see cref="TagOutcome.Code"/> is the skip reason.</summary>
    RevisionGone,

    /// <summary>5xx, timeouts, maxlag, rate limits that outlasted the client's own retries: try again later, offset not committed.</summary>
    Retryable,

    /// <summary>Any other answer: a permanent failure, dead-lettered with <see cref="TagOutcome.Code"/> and <see cref="TagOutcome.Detail"/>.</summary>
    Failed,
}

/// <summary>The outcome of one tag request: its kind, the wiki's error code (or our reason) and a human-readable detail.</summary>
public sealed record TagOutcome(TagOutcomeKind Kind, string? Code = null, string? Detail = null)
{
    /// <summary>True when the revision carries the tag now (applied or already there).</summary>
    public bool IsDone => Kind is TagOutcomeKind.Applied or TagOutcomeKind.AlreadyTagged;
}

/// <summary>
/// Puts change tags on a wiki as a bot (the MediaWiki project implements it). Implementations never tag a revision
/// whose text is hidden or suppressed, though MediaWiki would allow it, and never throw for a wiki's answer: only for
/// cancellation.
/// </summary>
public interface IWikiTagger
{
    Task<TagOutcome> TagAsync(TagRequest request, CancellationToken cancellationToken);
}
