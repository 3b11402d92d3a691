using Safeguard.Stream.Core.Diffs;

namespace Safeguard.Stream.MediaWiki;

/// <summary>A diff, or why there is none: a skip reason (hidden, missing) or a permanent failure to dead-letter.</summary>
public readonly record struct DiffFetchResult(DiffText? Diff, string? SkipReason, string? FailureReason, string? Detail)
{
    public static DiffFetchResult Ok(DiffText diff) => new(diff, null, null, null);

    public static DiffFetchResult Skip(string reason, string detail) => new(null, reason, null, detail);

    public static DiffFetchResult Fail(string reason, string detail) => new(null, null, reason, detail);
}
