namespace Safeguard.Stream.Core.Routing;

/// <summary>Every reason an edit is not classified. Each is counted; none is silent. Listed in README.md ("Outcome reasons").</summary>
public static class SkipReason
{
    public const string Canary = "canary";
    public const string Duplicate = "duplicate";
    public const string Kind = "kind";
    public const string Namespace = "namespace";
    public const string Wiki = "wiki";
    public const string Bot = "bot";
    public const string TrustedGroup = "trusted_group";
    public const string EditCount = "edit_count";
    public const string Size = "size";
    public const string NoPolicy = "no_policy";
    public const string RevisionMissing = "revision_missing";
    public const string RevisionHidden = "revision_hidden";

    /// <summary>Oversighted (suppressed) between the event and the fetch: not even administrators see it.</summary>
    public const string RevisionSuppressed = "revision_suppressed";
    public const string DomainNotAllowed = "domain_not_allowed";
    public const string EmptyDiff = "empty_diff";

    /// <summary>A revision deletion (page_change visibility_change, recentchange log delete/revision): followed by redaction, not classified.</summary>
    public const string VisibilityChange = "visibility_change";

    /// <summary>Pre-screen: the policy judges only additions (<c>judges: added</c>) and the edit adds no text.</summary>
    public const string NothingAdded = "nothing_added";

    /// <summary>Pre-screen: the edit changes only white space, punctuation or wiki formatting; no word or number changes.</summary>
    public const string FormattingOnly = "formatting_only";

    /// <summary>Pre-screen: a revert to an earlier revision, marked by MediaWiki's own revert tags (never the summary).</summary>
    public const string Revert = "revert";

    /// <summary>Revert-risk gate: the policy declares <c>gate: revertrisk &lt; N</c> and LiftWing scored the edit below N.</summary>
    public const string RevertRiskBelowGate = "revertrisk_below_gate";

    /// <summary>A dead-letter reason: redacting after a visibility change failed (redo it with <c>safeguard db redact</c>).</summary>
    public const string RedactionFailed = "redaction_failed";
}
