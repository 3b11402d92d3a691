using Safeguard.Stream.MediaWiki;
using Safeguard.Stream.Postgres;

namespace Safeguard.Stream.Review;

/// <summary>What the item page shows of an edit: the diff, or that the revision is deleted, or that the wiki did not answer.</summary>
public sealed record RevisionDiff(DiffText? Diff, bool Deleted, string? Unavailable);

/// <summary>
/// Fetches an edit's diff live from its wiki through the worker's own <see cref="MediaWikiClient"/> (allowlist,
/// User-Agent, rate limit, retries): nothing of it is stored. A revision the wiki hides or no longer has is "deleted".
/// </summary>
public sealed class RevisionDiffs(MediaWikiClient client)
{
    public async Task<RevisionDiff> FetchAsync(ReviewItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Redacted || item.Domain is null)
        {
            return new RevisionDiff(null, Deleted: true, null);
        }

        var edit = new EditEvent
        {
            SchemaUri = "review",
            Stream = "review",
            Domain = item.Domain,
            WikiId = item.WikiId,
            RevId = item.RevId,
            ParentRevId = item.ParentRevId,
            Kind = item.ParentRevId is null or 0 ? EditKind.Create : EditKind.Edit,
            SourceKind = "review",
            PageTitle = item.PageTitle ?? string.Empty,
            Namespace = item.Namespace ?? 0,
            EventTime = new DateTimeOffset(DateTime.SpecifyKind(item.ClassifiedAt, DateTimeKind.Utc)),
        };
        var result = await client.GetDiffAsync(edit, cancellationToken);
        return result switch
        {
            { Diff: { } diff } => new RevisionDiff(diff, false, null),
            { SkipReason: SkipReason.RevisionHidden or SkipReason.RevisionSuppressed or SkipReason.RevisionMissing } => new RevisionDiff(null, Deleted: true, null),
            _ => new RevisionDiff(null, false, result.SkipReason ?? result.FailureReason ?? "unknown"),
        };
    }
}
