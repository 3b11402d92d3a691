using Safeguard.Stream.Core.Routing;

namespace Safeguard.Stream.Core.Tagging;

/// <summary>
/// Every <see cref="TagOutcome.Code"/> the tag client gives: the wiki's own error code where it has one, else one of
/// these. Skips (<see cref="TagOutcomeKind.RevisionGone"/>) and dead letters (<see cref="TagOutcomeKind.Failed"/>)
/// carry them as their reason. Listed in README.md ("Outcome reasons"). The transport codes are the enrichment stage's
/// (<c>DiffFailure</c> in the MediaWiki project): one wiki, one set of words.
/// </summary>
public static class TagOutcomeCode
{
    /// <summary>Applied: the wiki put the tag on the revision (<c>status: success</c>, the tag in <c>added</c>).</summary>
    public const string Applied = "applied";

    /// <summary>Already tagged: the wiki answered <c>noop</c>.</summary>
    public const string Noop = "noop";

    /// <summary>Skip: the revision's text is hidden by revision deletion (<c>texthidden</c>/<c>sha1hidden</c>).</summary>
    public const string RevisionHidden = SkipReason.RevisionHidden;

    /// <summary>Skip: anything of the revision is suppressed (oversighted). MediaWiki would let us tag it; we never do.</summary>
    public const string RevisionSuppressed = SkipReason.RevisionSuppressed;

    /// <summary>Skip: the wiki knows no such revision (or its page was deleted): <c>badrevids</c>, per-item <c>nosuchrevid</c>.</summary>
    public const string NoSuchRevision = "nosuchrevid";

    /// <summary>Tag undefined or inactive: <c>badtags</c> (the API lists it in <c>disallowedtags</c>).</summary>
    public const string BadTags = "badtags";

    /// <summary>Permission: the account lacks the right or the BotPassword/OAuth grant (<c>permissiondenied</c>).</summary>
    public const string PermissionDenied = "permissiondenied";

    /// <summary>Permission: <c>action=login</c> did not answer <c>Success</c> (wrong name or password, BotPasswords off).</summary>
    public const string LoginFailed = "login_failed";

    /// <summary>Permission: still not a bot (<c>assert=bot</c>) or not logged in (<c>assert=user</c>) after logging in again.</summary>
    public const string AssertFailed = "assert_failed";

    /// <summary>Permission: the token was refused again after a fresh one (<c>badtoken</c> twice).</summary>
    public const string BadToken = "badtoken";

    /// <summary>Dead letter: the request's domain is not in <c>Safeguard:MediaWiki:AllowedDomains</c>; nothing was sent.</summary>
    public const string DomainNotAllowed = SkipReason.DomainNotAllowed;

    /// <summary>Retryable: HTTP 429/5xx, <c>maxlag</c>, <c>ratelimited</c>, <c>readonly</c> or connection errors after the retries.</summary>
    public const string Unavailable = "mediawiki_unavailable";

    /// <summary>Retryable: every attempt ran past its timeout.</summary>
    public const string Timeout = "mediawiki_timeout";

    /// <summary>Retryable: more requests to the wiki wait than its rate limit queues.</summary>
    public const string RateLimited = "mediawiki_rate_limited";

    /// <summary>Retryable: the wiki's circuit breaker is open.</summary>
    public const string CircuitOpen = "mediawiki_circuit_open";

    /// <summary>Dead letter: an HTTP status retrying cannot fix (4xx other than 408/429).</summary>
    public const string HttpError = "mediawiki_http_error";

    /// <summary>Dead letter: HTTP 200 with a body that is not the API's answer shape.</summary>
    public const string BadResponse = "mediawiki_response";
}
