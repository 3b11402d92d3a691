namespace Safeguard.Stream.Core.Events;

/// <summary>What happened to the page: the filter accepts only <see cref="Edit"/> and <see cref="Create"/> by default.</summary>
public enum EditKind
{
    Edit,
    Create,
    Other,
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

    /// <summary>Language code derived from the domain (<c>de.wikipedia.org</c> → <c>de</c>); null for multilingual projects.</summary>
    public string? Language => WikiLanguage.FromDomain(Domain);
}
