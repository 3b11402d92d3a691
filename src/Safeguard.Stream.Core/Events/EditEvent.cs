namespace Safeguard.Stream.Core.Events;

/// <summary>What happened to the page: the filter accepts only <see cref="Edit"/> and <see cref="Create"/> by default.</summary>
public enum EditKind
{
    Edit,
    Create,
    Other,
}

/// <summary>
/// Parts of a revision the wiki hides from the public (revision deletion of the user name or the edit summary),
/// found when the diff is fetched. A hidden part is dropped from the edit: never sent to the model, never stored.
/// </summary>
[Flags]
public enum HiddenFields
{
    None = 0,
    User = 1,
    Summary = 2,
}

/// <summary>
/// A change of a revision's visibility (revision deletion): page_change <c>visibility_change</c>, or a recentchange
/// <c>log delete/revision</c> (which names the revisions in <c>log_params.ids</c>). <see cref="Hides"/> is what
/// became hidden; <see cref="Suppressed"/> when it is known to be oversight.
/// </summary>
public sealed record VisibilityChange(IReadOnlyList<long> RevIds, bool TextHidden, bool UserOrSummaryHidden, bool Suppressed)
{
    /// <summary>Something became hidden (a change that only reveals asks for nothing).</summary>
    public bool Hides => TextHidden || UserOrSummaryHidden;
}

/// <summary>The user who made the change, when the source carried it (page_change 1.2+ omits it for suppressed changes).</summary>
public sealed record Performer(
    string UserText,
    bool IsBot,
    bool IsTemp,
    IReadOnlyList<string> Groups,
    long? EditCount);

/// <summary>
/// One change on one wiki, normalised from <c>mediawiki/page/change</c> 1.x or <c>mediawiki/recentchange</c> 1.x.
/// Carries identifiers and metadata only: the text of the change is fetched later, and never logged.
/// </summary>
public sealed record EditEvent
{
    public required string SchemaUri { get; init; }
    public required string Stream { get; init; }
    public required string Domain { get; init; }
    public required string WikiId { get; init; }
    public required long RevId { get; init; }
    public long? ParentRevId { get; init; }
    public required EditKind Kind { get; init; }

    /// <summary>The source's own word for the change (page_change_kind or recentchange type), for skip reasons.</summary>
    public required string SourceKind { get; init; }
    /// <summary>Null for recentchange events, which do not carry the page id.</summary>
    public long? PageId { get; init; }
    public required string PageTitle { get; init; }
    public required int Namespace { get; init; }
    public required DateTimeOffset EventTime { get; init; }
    public DateTimeOffset? RevisionTime { get; init; }

    /// <summary>
    /// When the revision was saved: <see cref="RevisionTime"/>, else the event's time (recentchange carries none).
    /// The Kafka event's <c>rev_dt</c> and the audit table's partition key both read it.
    /// </summary>
    public DateTimeOffset SavedAt() => RevisionTime ?? EventTime;

    public string? Comment { get; init; }
    public Performer? Performer { get; init; }
    public string? MetaId { get; init; }
    public string? RequestId { get; init; }
    public string? Uri { get; init; }
    public long? NewSize { get; init; }
    public long? OldSize { get; init; }

    /// <summary>
    /// The edit restores an earlier revision: the source marked it (MediaWiki's revert tags or <c>is_revert</c>), or
    /// its content hash equals a recent earlier revision's (<see cref="Routing.IdentityRevertWindow"/>). Software-set
    /// signals only, never the edit summary.
    /// </summary>
    public bool IsRevert { get; init; }

    /// <summary>The revision's content hash (page_change <c>revision.rev_sha1</c>, base 36); null where the source has none (recentchange).</summary>
    public string? Sha1 { get; init; }

    /// <summary>The replaced revision's content hash (page_change <c>prior_state.revision.rev_sha1</c>).</summary>
    public string? PriorSha1 { get; init; }

    /// <summary>Set for a visibility change (revision deletion) instead of an edit.</summary>
    public VisibilityChange? VisibilityChange { get; init; }

    /// <summary>What the wiki hides of this revision; <see cref="Comment"/> and <see cref="Performer"/> are null for what it hides.</summary>
    public HiddenFields Hidden { get; init; }

    /// <summary>This edit without what <paramref name="hidden"/> names: the summary and the performer are dropped.</summary>
    public EditEvent WithHidden(HiddenFields hidden) => hidden == HiddenFields.None ? this : this with
    {
        Hidden = Hidden | hidden,
        Comment = hidden.HasFlag(HiddenFields.Summary) ? null : Comment,
        Performer = hidden.HasFlag(HiddenFields.User) ? null : Performer,
    };

    /// <summary>Language code derived from the domain (<c>de.wikipedia.org</c> → <c>de</c>); null for multilingual projects.</summary>
    public string? Language => WikiLanguage.FromDomain(Domain);
}
