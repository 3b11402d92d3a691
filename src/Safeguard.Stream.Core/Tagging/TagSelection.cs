namespace Safeguard.Stream.Core.Tagging;

/// <summary>
/// Why a verdict on the topic ended without a tag request. Every verdict the tagger reads ends in one counted
/// outcome (<see cref="TaggingDisposition"/>); these are its reasons. Listed in README.md ("Outcome reasons").
/// </summary>
public static class TagSkipReason
{
    /// <summary>A redaction event (the wiki hid the revision later): never tagged.</summary>
    public const string Redacted = "redacted";

    /// <summary>The model gave no verdict (<c>status: error</c>); it counts in the valve's error share.</summary>
    public const string VerdictError = "verdict_error";

    /// <summary>A shadow-mode policy: it flags nothing.</summary>
    public const string Shadow = "shadow";

    /// <summary>The verdict does not flag the edit (it counts in the valve's window).</summary>
    public const string NotFlagged = "not_flagged";

    /// <summary>A restricted policy's verdict (only on the restricted topic, but never tagged wherever it comes from).</summary>
    public const string Restricted = "restricted";

    /// <summary>The wiki is not in <c>Safeguard:Tagging:Wikis</c>.</summary>
    public const string WikiNotOptedIn = "wiki_not_opted_in";

    /// <summary>No loaded policy has this id (a policy removed since), or it is not in <c>Safeguard:Tagging:Policies</c>.</summary>
    public const string PolicyNotTagged = "policy_not_tagged";

    /// <summary>Held: the pair's safety valve is open (kept in <c>tag_pending</c>; a re-arm does not tag them).</summary>
    public const string ValveOpen = "valve_open";

    /// <summary>Held: the tag is not defined on the wiki (kept in <c>tag_pending</c>, tagged once it is).</summary>
    public const string TagUndefined = "tag_undefined";

    /// <summary>Held: the bot lacks a right on the wiki (kept in <c>tag_pending</c>, tagged once it has it).</summary>
    public const string PermissionDenied = "permission_denied";

    /// <summary>A verdict event that cannot be read (dead-lettered).</summary>
    public const string MalformedVerdict = "tagger_malformed_verdict";

    /// <summary>The wiki refused the tag for a reason with no other outcome (dead-lettered; the detail has the wiki's code).</summary>
    public const string TagFailed = "tag_failed";
}

/// <summary>How one verdict ended in the tagger.</summary>
public enum TaggingDisposition
{
    /// <summary>Not a tagging candidate (see <see cref="TagSkipReason"/>); not flagged verdicts still fed the valve.</summary>
    Ignored,

    /// <summary>The wiki applied the tag.</summary>
    Tagged,

    /// <summary>The revision already carried the tag (a restart re-applying).</summary>
    AlreadyTagged,

    /// <summary>The revision is gone, hidden or suppressed: skipped, the wiki's reason recorded.</summary>
    Skipped,

    /// <summary>Not tagged for now and recorded in <c>tag_pending</c>: valve open, tag undefined, permission denied.</summary>
    Held,

    /// <summary>A permanent failure, in the dead-letter table and topic.</summary>
    DeadLettered,
}

/// <summary>The outcome of one verdict: its disposition and, except for tags applied, the reason.</summary>
public sealed record TaggingResult(TaggingDisposition Disposition, string? Reason = null);

/// <summary>What the tagger does with one verdict before any request: the rules of issue 15, in one place.</summary>
public abstract record TagSelection
{
    private TagSelection()
    {
    }

    /// <summary>The verdict is not a candidate and does not feed the valve.</summary>
    public sealed record Ignored(string Reason) : TagSelection;

    /// <summary>The verdict feeds the (wiki, policy) valve; when <see cref="PublishedVerdict.Flagged"/> it is to be tagged with <see cref="Policy.ChangeTag"/>.</summary>
    public sealed record Candidate(Policy Policy) : TagSelection;

    /// <summary>
    /// Candidates: enforce-mode verdicts (ok or error) of public policies that the catalog knows and the options select,
    /// on opted-in wikis. Redaction events, shadow verdicts and restricted policies never are.
    /// </summary>
    public static TagSelection Select(PublishedVerdict verdict, IReadOnlyList<Policy> policies, TaggerOptions options)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(options);
        if (verdict.Status == PublishedVerdict.StatusRedacted)
        {
            return new Ignored(TagSkipReason.Redacted);
        }

        if (verdict.Visibility != "public")
        {
            return new Ignored(TagSkipReason.Restricted);
        }

        if (verdict.Mode != "enforce")
        {
            return new Ignored(TagSkipReason.Shadow);
        }

        if (!options.OptedIn(verdict.WikiId))
        {
            return new Ignored(TagSkipReason.WikiNotOptedIn);
        }

        var policy = policies.FirstOrDefault(p => p.Id == verdict.PolicyId);
        if (policy is null || !options.Selects(policy))
        {
            // The catalog's word wins over the event's: a policy made restricted since is not tagged either.
            return new Ignored(policy?.Visibility == PolicyVisibility.Restricted ? TagSkipReason.Restricted : TagSkipReason.PolicyNotTagged);
        }

        return verdict.Status is PublishedVerdict.StatusOk or PublishedVerdict.StatusError
            ? new Candidate(policy)
            : new Ignored(TagSkipReason.VerdictError);
    }

    /// <summary>
    /// The reason written with the tag: the policy by title and id, and the review page where a patroller reads why.
    /// Never the model's rationale (a restricted one would leak; a public one belongs on the review page, with context).
    /// </summary>
    public static string TagReason(Policy policy, int policyVersion, string reviewUrl, string wikiId, long revId)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(reviewUrl);
        return string.Create(CultureInfo.InvariantCulture,
            $"Safeguard.Stream: flagged under the policy \"{policy.Title}\" ({policy.Id} v{policyVersion}); review: {ReviewLink(reviewUrl, wikiId, revId, policy.Id)}");
    }

    /// <summary>The review page of one verdict: <c>{ReviewUrl}/item/{wikiId}/{revId}/{policyId}</c>.</summary>
    public static string ReviewLink(string reviewUrl, string wikiId, long revId, string policyId)
    {
        ArgumentNullException.ThrowIfNull(reviewUrl);
        return string.Create(CultureInfo.InvariantCulture,
            $"{reviewUrl.TrimEnd('/')}/item/{Uri.EscapeDataString(wikiId)}/{revId}/{Uri.EscapeDataString(policyId)}");
    }
}
