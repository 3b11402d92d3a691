namespace Safeguard.Stream.MediaWiki;

/// <summary>A diff, or why there is none: a skip reason (hidden, missing, refused) or a failure to dead-letter.</summary>
public readonly record struct DiffFetchResult(DiffText? Diff, string? SkipReason, string? FailureReason, string? Detail)
{
    /// <summary>A missing revision that the replica may simply not have yet: worth asking again shortly.</summary>
    public bool MayBeReplicaLag { get; init; }

    /// <summary>The revision's user or summary is hidden by the wiki: the diff is classified without them.</summary>
    public HiddenFields Hidden { get; init; }

    /// <summary>compare said missingcontent: ask prop=revisions whether the text is hidden or suppressed.</summary>
    internal bool AskRevisions { get; init; }

    public static DiffFetchResult Ok(DiffText diff) => new(diff, null, null, null);

    public static DiffFetchResult Skip(string reason, string detail) => new(null, reason, null, detail);

    public static DiffFetchResult Fail(string reason, string detail) => new(null, null, reason, detail);
}

/// <summary>Dead-letter reasons of the enrichment stage. Details name the API action and code, never revision content.</summary>
public static class DiffFailure
{
    /// <summary>HTTP 429/5xx, maxlag, connection errors: still failing after the retries.</summary>
    public const string Unavailable = "mediawiki_unavailable";

    /// <summary>Every attempt ran past <see cref="MediaWikiOptions.AttemptTimeout"/>, or the total ran past <see cref="MediaWikiOptions.TotalTimeout"/>.</summary>
    public const string Timeout = "mediawiki_timeout";

    /// <summary>The wiki's circuit breaker is open after repeated failures: its requests are refused for a while.</summary>
    public const string CircuitOpen = "mediawiki_circuit_open";

    public const string RateLimited = "mediawiki_rate_limited";

    /// <summary>An HTTP status that retrying cannot fix (4xx other than 408/429).</summary>
    public const string HttpError = "mediawiki_http_error";

    /// <summary>An API error code this worker does not expect (e.g. <c>badvalue</c>): a bug on our side or a changed API.</summary>
    public const string ApiError = "mediawiki_error";

    /// <summary>HTTP 200 with a body that is not the API's answer shape.</summary>
    public const string BadResponse = "mediawiki_response";
}
