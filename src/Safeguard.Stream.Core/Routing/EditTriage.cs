namespace Safeguard.Stream.Core.Routing;

/// <summary>What triage decided for one source event.</summary>
public enum TriageOutcome
{
    /// <summary>Unusable (rejected by the source or unparsable): dead-lettered with <see cref="TriageDecision.Reason"/>.</summary>
    DeadLetter,

    /// <summary>Not classified, for a <see cref="SkipReason"/>.</summary>
    Skip,

    /// <summary>Goes on to enrichment and the <see cref="TriageDecision.Policies"/>.</summary>
    Route,

    /// <summary>
    /// A revision's visibility changed on the wiki (a <c>page_change</c> visibility change or a recentchange
    /// <c>log delete/revision</c>): nothing to classify; what was stored of those revisions is redacted.
    /// </summary>
    VisibilityChange,
}

/// <summary>
/// One event's triage. <see cref="Reason"/> is a dead-letter reason (<see cref="EventParseError"/> or the source's) or a
/// <see cref="SkipReason"/>; <see cref="Detail"/> is what a dead letter records; <see cref="ParseError"/> is the parser's
/// own words when the payload did not parse. <see cref="Edit"/> is set once the payload parsed.
/// </summary>
public sealed record TriageDecision(TriageOutcome Outcome, string? Reason, EditEvent? Edit, IReadOnlyList<Policy> Policies)
{
    public string? Detail { get; init; }

    public string? ParseError { get; init; }

    internal static TriageDecision Skip(string reason, EditEvent? edit) => new(TriageOutcome.Skip, reason, edit, []);
}

/// <summary>
/// The rule for what becomes of a raw event, in order: the source's rejection, parse (canaries dropped), dedupe by
/// (wiki, rev_id) for edits and creations, then <see cref="EditRouter"/>'s filters and policy scopes. The pipeline's
/// <see cref="RoutingStage"/> and <c>safeguard route</c> both call it. Pure apart from the dedupe window it owns, so
/// not thread-safe: one reader triages a stream.
/// </summary>
public sealed class EditTriage(EditRouter router, DedupeWindow dedupe, IdentityRevertWindow reverts)
{
    public EditTriage(EditRouter router, FilterOptions options)
        : this(router, new DedupeWindow((options ?? throw new ArgumentNullException(nameof(options))).DedupeWindow), new IdentityRevertWindow(options.IdentityRevertPages))
    {
    }

    public TriageDecision Triage(SourceEvent raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        if (raw.Rejection is { } rejection)
        {
            return new TriageDecision(TriageOutcome.DeadLetter, rejection.Reason, null, []) { Detail = rejection.Detail };
        }

        var parsed = EventParser.ParsePayload(raw.Payload);
        if (parsed.IsCanary)
        {
            return TriageDecision.Skip(SkipReason.Canary, null);
        }

        if (parsed.Event is not { } edit)
        {
            return new TriageDecision(TriageOutcome.DeadLetter, parsed.ErrorReason ?? EventParseError.InvalidField, null, [])
            {
                Detail = raw.LineNumber is { } line ? $"line {line}: {parsed.ErrorDetail}" : parsed.ErrorDetail ?? "unparsable",
                ParseError = parsed.ErrorDetail,
            };
        }

        if (edit.VisibilityChange is not null)
        {
            // A revision deletion or suppression on the wiki: not an edit to classify, but copies to redact.
            return new TriageDecision(TriageOutcome.VisibilityChange, null, edit, []);
        }

        if (edit.Kind != EditKind.Other && !dedupe.TryAdd(edit.WikiId, edit.RevId))
        {
            return TriageDecision.Skip(SkipReason.Duplicate, edit);
        }

        if (!edit.IsRevert && edit.PageId is { } pageId && reverts.Observe(edit.WikiId, pageId, edit.Sha1, edit.PriorSha1))
        {
            edit = edit with { IsRevert = true };
        }

        var decision = router.Route(edit);
        return decision.SkipReason is { } reason
            ? TriageDecision.Skip(reason, edit)
            : new TriageDecision(TriageOutcome.Route, null, edit, decision.Policies);
    }
}
