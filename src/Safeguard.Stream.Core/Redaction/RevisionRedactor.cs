namespace Safeguard.Stream.Core.Redaction;

/// <summary>Why a revision's derived copies are redacted. Each is stored with the redacted rows.</summary>
public static class RedactionReason
{
    /// <summary>The revision's text was hidden (revision deletion).</summary>
    public const string TextHidden = "text_hidden";

    /// <summary>The revision's text was suppressed (oversight).</summary>
    public const string TextSuppressed = "text_suppressed";

    /// <summary>The revision's user name or edit summary was hidden (or suppressed).</summary>
    public const string UserOrSummaryHidden = "user_or_summary_hidden";

    /// <summary><c>safeguard db redact</c>: an oversighter acting by hand.</summary>
    public const string Manual = "manual";
}

/// <summary>What set a redaction off: kept for the log and the counter, not stored.</summary>
public static class RedactionTrigger
{
    public const string PageChange = "page_change";
    public const string RecentChange = "recentchange";
    public const string Enrichment = "enrichment";
    public const string Command = "command";
}

/// <summary>A revision whose audit rows and events must be redacted.</summary>
public sealed record RedactionRequest(string WikiId, long RevId, string Reason, string Trigger);

/// <summary>
/// One verdict being redacted, as the audit row keeps it: the edit's ids (no performer, no summary) and the verdict
/// without rationale or reasoning, so the redaction event can stand in for the original (same <c>meta.id</c>).
/// </summary>
public sealed record RedactedVerdict(EditEvent Edit, PolicyVerdict Verdict, string Reason, DateTimeOffset RedactedAt);

/// <summary>The audit store's side of a redaction (Postgres).</summary>
public interface IRedactionStore
{
    /// <summary>The verdicts of the revision not redacted yet.</summary>
    Task<IReadOnlyList<RedactedVerdict>> FindUnredactedAsync(RedactionRequest request, DateTimeOffset redactedAt, CancellationToken cancellationToken);

    /// <summary>
    /// Clears rationale, reasoning and performer of the revision's verdicts and drops its dead letters' payloads,
    /// keeping ids, flags and counts; sets <c>redacted_at</c> and the reason. Returns the verdict rows changed.
    /// </summary>
    Task<int> RedactAsync(RedactionRequest request, DateTimeOffset redactedAt, CancellationToken cancellationToken);
}

/// <summary>Tells downstream consumers to purge their copies of the verdicts (Kafka).</summary>
public interface IRedactionPublisher
{
    Task PublishAsync(IReadOnlyList<RedactedVerdict> verdicts, CancellationToken cancellationToken);
}

/// <summary>
/// Privacy follows the wiki: when a revision we classified is hidden or suppressed, the redaction events go out
/// first and the audit rows are redacted after, so a crash in between sends the events again next time (consumers
/// dedupe by <c>meta.id</c>) instead of leaving a consumer's copy unpurged. Without a store (a replay to nowhere),
/// nothing is done.
/// </summary>
public sealed partial class RevisionRedactor(
    IEnumerable<IRedactionStore> stores,
    IEnumerable<IRedactionPublisher> publishers,
    TimeProvider timeProvider,
    ILogger<RevisionRedactor> logger)
{
    private readonly IRedactionStore? _store = stores.LastOrDefault();
    private readonly IRedactionPublisher[] _publishers = [.. publishers];

    public bool HasStore => _store is not null;

    /// <summary>Redacts the revision's verdicts; returns how many verdict rows were redacted now.</summary>
    public async Task<int> RedactAsync(RedactionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_store is null)
        {
            return 0;
        }

        var now = timeProvider.GetUtcNow();
        var pending = await _store.FindUnredactedAsync(request, now, cancellationToken);
        if (pending.Count > 0)
        {
            foreach (var publisher in _publishers)
            {
                await publisher.PublishAsync(pending, cancellationToken);
            }
        }

        // Dead letters of the revision are redacted even when it has no verdict.
        var redacted = await _store.RedactAsync(request, now, cancellationToken);
        Log.Redacted(logger, request.WikiId, request.RevId, request.Reason, request.Trigger, redacted);
        return redacted;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 120, EventName = "RevisionRedacted", Level = LogLevel.Information,
            Message = "Redacted {WikiId}:{RevId} ({Reason}, from {Trigger}): {Rows} verdict rows")]
        public static partial void Redacted(ILogger logger, string wikiId, long revId, string reason, string trigger, int rows);
    }
}
