using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;
using Safeguard.Stream.Core.Diffs;
using Safeguard.Stream.Core.Events;
using Safeguard.Stream.Core.Routing;

namespace Safeguard.Stream.MediaWiki;

/// <summary>
/// Fetches what an edit changed through the Action API of the edit's own wiki (<c>https://{domain}/w/api.php</c>,
/// the domain checked against the allowlist first): <c>action=compare</c> from the parent to the revision for edits,
/// the revision's content (<c>prop=revisions</c>, main slot) for page creations, which have no parent. The text is
/// fitted to the token budget before it is returned.
/// <para>
/// Transport faults are the HTTP pipeline's business (see <c>MediaWikiHostingExtensions</c>): per-wiki rate limit,
/// retries with jitter honouring <c>Retry-After</c> (maxlag, 429, 503), per-wiki circuit breaker, timeouts. This class
/// reads answers: a revision the replica does not know yet (<c>nosuchrevid</c>, <c>badrevids</c>) is asked for again
/// a few times, then skipped; hidden or suppressed revisions are skipped with their reason, and nothing of their
/// content leaves this method. Every outcome is a <see cref="DiffFetchResult"/>; only cancellation throws.
/// </para>
/// </summary>
public sealed partial class MediaWikiClient(
    HttpClient http,
    IOptions<MediaWikiOptions> options,
    ITokenCounter tokenCounter,
    TimeProvider timeProvider,
    ILogger<MediaWikiClient> logger)
{
    private readonly MediaWikiOptions _options = options.Value;
    private readonly DomainAllowlist _allowlist = new(options.Value.EffectiveAllowedDomains);

    public async Task<DiffFetchResult> GetDiffAsync(EditEvent edit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(edit);
        if (!_allowlist.IsAllowed(edit.Domain))
        {
            Log.DomainRefused(logger, edit.WikiId, edit.RevId);
            return DiffFetchResult.Skip(SkipReason.DomainNotAllowed, "the event's domain is not in Safeguard:MediaWiki:AllowedDomains");
        }

        var isCreation = edit.ParentRevId is null or 0;
        var action = isCreation ? "query" : "compare";
        var maxLag = _options.MaxLagSeconds.ToString(CultureInfo.InvariantCulture);
        var query = isCreation
            // rvprop user|comment makes the API report userhidden/commenthidden; content carries texthidden on the slot.
            ? $"action=query&prop=revisions&revids={edit.RevId}&rvprop=ids%7Cuser%7Ccomment%7Ccontent&rvslots=main&format=json&formatversion=2&maxlag={maxLag}"
            // prop user|comment makes compare report touserhidden/tocommenthidden (the values themselves are not read).
            : $"action=compare&fromrev={edit.ParentRevId}&torev={edit.RevId}&prop=diff%7Cids%7Cuser%7Ccomment&difftype=table&format=json&formatversion=2&maxlag={maxLag}";
        var url = new Uri(_options.ApiUrlTemplate.Replace("{domain}", edit.Domain.ToLowerInvariant(), StringComparison.Ordinal) + "?" + query);

        var delay = _options.MissingRevisionDelay;
        for (var attempt = 0; ; attempt++)
        {
            var result = await FetchOnceAsync(url, edit, action, isCreation, cancellationToken);
            if (result.AskRevisions)
            {
                // compare answers missingcontent alike for hidden and suppressed text; only prop=revisions tells them apart.
                result = await TellHiddenFromSuppressedAsync(edit, cancellationToken);
            }

            if (result.SkipReason != SkipReason.RevisionMissing || !result.MayBeReplicaLag || attempt >= _options.MissingRevisionRetries)
            {
                return result.Diff is { } diff ? result with { Diff = diff.FitToTokenBudget(_options.MaxDiffTokens, tokenCounter) } : result;
            }

            // Right after the event the revision may not have reached the replica that answered: ask again.
            Log.RevisionNotYetVisible(logger, edit.WikiId, edit.RevId, attempt + 1, delay);
            await Task.Delay(delay, timeProvider, cancellationToken);
            delay *= 2;
        }
    }

    /// <summary>
    /// After <c>missingcontent</c>: <c>prop=revisions</c> on the revision and its parent. Text hidden
    /// (<c>sha1hidden</c>/<c>texthidden</c>) is <c>revision_hidden</c>, and <c>revision_suppressed</c> when the
    /// revision is also <c>suppressed</c>; the revision's own state decides before its parent's.
    /// </summary>
    private async Task<DiffFetchResult> TellHiddenFromSuppressedAsync(EditEvent edit, CancellationToken cancellationToken)
    {
        var maxLag = _options.MaxLagSeconds.ToString(CultureInfo.InvariantCulture);
        var url = new Uri(_options.ApiUrlTemplate.Replace("{domain}", edit.Domain.ToLowerInvariant(), StringComparison.Ordinal) +
            $"?action=query&prop=revisions&revids={edit.RevId}%7C{edit.ParentRevId}&rvprop=ids%7Cflags%7Cuser%7Ccomment%7Csha1%7Csize&format=json&formatversion=2&maxlag={maxLag}");
        var answer = await FetchOnceAsync(url, edit, "query", isCreation: false, cancellationToken, readVisibility: true);
        return answer.SkipReason is not null || answer.FailureReason is null
            ? answer
            // The text is missing either way; which reason is unknown. Hidden is the milder claim, and nothing is sent on.
            : DiffFetchResult.Skip(SkipReason.RevisionHidden, $"compare: missingcontent; prop=revisions failed ({answer.FailureReason}), hidden and suppressed not told apart");
    }

    private async Task<DiffFetchResult> FetchOnceAsync(Uri url, EditEvent edit, string action, bool isCreation, CancellationToken cancellationToken, bool readVisibility = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Options.Set(WikiApiRequest.Wiki, edit.Domain.ToLowerInvariant());
        request.Options.Set(WikiApiRequest.Action, action);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (FailureOf(ex) is { } failure)
        {
            Log.RequestFailed(logger, edit.WikiId, edit.RevId, failure, ex.GetType().Name);
            return DiffFetchResult.Fail(failure, $"{action}: {ex.GetType().Name}");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                // Retries are spent (429/5xx) or retrying cannot help (4xx).
                var reason = response.StatusCode is HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError
                    ? DiffFailure.Unavailable
                    : DiffFailure.HttpError;
                return DiffFetchResult.Fail(reason, $"{action}: HTTP {(int)response.StatusCode}");
            }

            JsonDocument document;
            try
            {
                document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            }
            catch (JsonException ex)
            {
                return DiffFetchResult.Fail(DiffFailure.BadResponse, $"{action}: not JSON ({ex.Message})");
            }

            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    return DiffFetchResult.Fail(DiffFailure.BadResponse, $"{action}: the response is not a JSON object");
                }

                if (root.TryGetProperty("error", out var error))
                {
                    return ReadError(error, action);
                }

                return readVisibility ? ReadVisibility(root, edit)
                    : isCreation ? ReadCreation(root, edit.RevId)
                    : ReadCompare(root);
            }
        }
    }

    /// <summary>
    /// Exceptions the HTTP pipeline throws once its retries are spent, as failure reasons; null for anything else.
    /// The tag client uses them as outcome codes too (<c>TagOutcomeCode</c> holds the same strings).
    /// </summary>
    internal static string? FailureOf(Exception ex) => ex switch
    {
        BrokenCircuitException => DiffFailure.CircuitOpen,
        TimeoutRejectedException or TaskCanceledException or TimeoutException => DiffFailure.Timeout,
        RateLimiterRejectedException => DiffFailure.RateLimited,
        HttpRequestException or IOException => DiffFailure.Unavailable,
        _ => null,
    };

    private static DiffFetchResult ReadError(JsonElement error, string action)
    {
        var code = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() ?? "unknown" : "unknown";
        return code switch
        {
            "nosuchrevid" => DiffFetchResult.Skip(SkipReason.RevisionMissing, $"{action}: API error nosuchrevid") with { MayBeReplicaLag = true },
            "missingtitle" or "nosuchpageid" or "apierror-compare-relative-to-deleted" => DiffFetchResult.Skip(SkipReason.RevisionMissing, $"{action}: API error {code}"),
            // Revision-deleted text, hidden or suppressed alike: prop=revisions tells which (TellHiddenFromSuppressedAsync).
            "missingcontent" when action == "compare" => DiffFetchResult.Skip(SkipReason.RevisionHidden, "compare: API error missingcontent") with { AskRevisions = true },
            // The API refuses the text to callers who may not see it.
            "missingcontent" or "permissiondenied" or "revdeleted" or "accessdenied" => DiffFetchResult.Skip(SkipReason.RevisionHidden, $"{action}: API error {code}"),
            "suppressed" => DiffFetchResult.Skip(SkipReason.RevisionSuppressed, $"{action}: API error {code}"),
            // The pipeline retried maxlag already; still lagging means the wiki is not answering in time.
            "maxlag" or "ratelimited" or "readonly" or "internal_api_error_DBQueryError" => DiffFetchResult.Fail(DiffFailure.Unavailable, $"{action}: API error {code}"),
            _ => DiffFetchResult.Fail(DiffFailure.ApiError, $"{action}: API error {code}"),
        };
    }

    private static DiffFetchResult ReadCompare(JsonElement root)
    {
        if (!root.TryGetProperty("compare", out var compare) || compare.ValueKind != JsonValueKind.Object)
        {
            return DiffFetchResult.Fail(DiffFailure.BadResponse, "compare: response without 'compare'");
        }

        // Flags are set whenever something is hidden, even for callers allowed to see it (a privileged account gets the
        // body). Hidden text, the new revision's or the parent's (which would show as removed text and context), is
        // skipped; *suppressed is set when anything of the revision is oversighted, so it names the reason only when
        // text is hidden too. A hidden user or summary of the new revision is dropped and the diff classified.
        var toText = Flag(compare, "totexthidden") || Flag(compare, "texthidden");
        var fromText = Flag(compare, "fromtexthidden");
        if (toText || fromText)
        {
            var suppressed = toText ? Flag(compare, "tosuppressed") || Flag(compare, "suppressed") : Flag(compare, "fromsuppressed");
            return suppressed
                ? DiffFetchResult.Skip(SkipReason.RevisionSuppressed, toText ? "compare: revision text suppressed" : "compare: parent revision text suppressed")
                : DiffFetchResult.Skip(SkipReason.RevisionHidden, toText ? "compare: revision text hidden" : "compare: parent revision text hidden");
        }

        var hidden = (Flag(compare, "touserhidden") ? HiddenFields.User : HiddenFields.None)
                     | (Flag(compare, "tocommenthidden") ? HiddenFields.Summary : HiddenFields.None);

        // formatversion=2 names the diff 'body'; formatversion=1 (and old recordings) use '*'.
        var html = compare.TryGetProperty("body", out var body) && body.ValueKind == JsonValueKind.String ? body.GetString()
            : compare.TryGetProperty("*", out var star) && star.ValueKind == JsonValueKind.String ? star.GetString()
            : null;
        if (html is null)
        {
            return DiffFetchResult.Fail(DiffFailure.BadResponse, "compare: response without a diff body");
        }

        var diff = DiffHtmlParser.Parse(html);
        return diff.IsEmpty ? DiffFetchResult.Skip(SkipReason.EmptyDiff, "compare: nothing added or removed") : DiffFetchResult.Ok(diff) with { Hidden = hidden };
    }

    /// <summary>Reads <c>prop=revisions</c> (ids|flags|user|comment|sha1) of a revision and its parent after <c>missingcontent</c>.</summary>
    private static DiffFetchResult ReadVisibility(JsonElement root, EditEvent edit)
    {
        if (!root.TryGetProperty("query", out var query) || query.ValueKind != JsonValueKind.Object)
        {
            return DiffFetchResult.Fail(DiffFailure.BadResponse, "query: response without 'query'");
        }

        var revisions = new Dictionary<long, JsonElement>();
        if (query.TryGetProperty("pages", out var pages) && pages.ValueKind is JsonValueKind.Array or JsonValueKind.Object)
        {
            var pageList = pages.ValueKind == JsonValueKind.Array ? [.. pages.EnumerateArray()] : pages.EnumerateObject().Select(p => p.Value).ToList();
            foreach (var page in pageList.Where(p => p.ValueKind == JsonValueKind.Object))
            {
                if (page.TryGetProperty("revisions", out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    foreach (var revision in list.EnumerateArray())
                    {
                        if (revision.TryGetProperty("revid", out var id) && id.TryGetInt64(out var revId))
                        {
                            revisions[revId] = revision.Clone();
                        }
                    }
                }
            }
        }

        foreach (var (revId, whose) in new[] { (edit.RevId, "revision"), (edit.ParentRevId ?? 0, "parent revision") })
        {
            if (revisions.TryGetValue(revId, out var revision) && TextHidden(revision))
            {
                return Flag(revision, "suppressed")
                    ? DiffFetchResult.Skip(SkipReason.RevisionSuppressed, $"compare: missingcontent; prop=revisions: {whose} text suppressed")
                    : DiffFetchResult.Skip(SkipReason.RevisionHidden, $"compare: missingcontent; prop=revisions: {whose} text hidden");
            }
        }

        return revisions.ContainsKey(edit.RevId)
            ? DiffFetchResult.Skip(SkipReason.RevisionMissing, "compare: missingcontent, yet prop=revisions shows no text hidden")
            : DiffFetchResult.Skip(SkipReason.RevisionMissing, "compare: missingcontent; the revision is gone (deleted page)");
    }

    /// <summary>Hidden text: <c>texthidden</c> on the revision or its main slot, or <c>sha1hidden</c> (rvprop=sha1 without content).</summary>
    private static bool TextHidden(JsonElement revision) =>
        Flag(revision, "texthidden") || Flag(revision, "sha1hidden") ||
        revision.TryGetProperty("slots", out var slots) && slots.ValueKind == JsonValueKind.Object &&
        slots.TryGetProperty("main", out var main) && main.ValueKind == JsonValueKind.Object && Flag(main, "texthidden");

    private static DiffFetchResult ReadCreation(JsonElement root, long revId)
    {
        if (!root.TryGetProperty("query", out var query) || query.ValueKind != JsonValueKind.Object)
        {
            return DiffFetchResult.Fail(DiffFailure.BadResponse, "query: response without 'query'");
        }

        if (query.TryGetProperty("badrevids", out _))
        {
            // Deleted, or not on this replica yet.
            return DiffFetchResult.Skip(SkipReason.RevisionMissing, "query: revision in badrevids") with { MayBeReplicaLag = true };
        }

        if (!query.TryGetProperty("pages", out var pages) || pages.ValueKind is not (JsonValueKind.Array or JsonValueKind.Object))
        {
            return DiffFetchResult.Fail(DiffFailure.BadResponse, "query: response without query.pages");
        }

        // formatversion=2 lists pages in an array; formatversion=1 keys them by page id.
        var pageList = pages.ValueKind == JsonValueKind.Array ? [.. pages.EnumerateArray()] : pages.EnumerateObject().Select(p => p.Value).ToList();
        var pageMissing = false;
        foreach (var page in pageList.Where(p => p.ValueKind == JsonValueKind.Object))
        {
            if (page.TryGetProperty("missing", out _))
            {
                pageMissing = true;
                continue;
            }

            if (!page.TryGetProperty("revisions", out var revisions) || revisions.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var revision in revisions.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.Object))
            {
                if (revision.TryGetProperty("revid", out var revid) && revid.TryGetInt64(out var id) && id != revId)
                {
                    continue;
                }

                // 'suppressed' is set when anything of the revision is oversighted: it names the reason for hidden text only.
                if (TextHidden(revision))
                {
                    return Flag(revision, "suppressed")
                        ? DiffFetchResult.Skip(SkipReason.RevisionSuppressed, "query: revision text suppressed")
                        : DiffFetchResult.Skip(SkipReason.RevisionHidden, "query: revision text hidden");
                }

                var hidden = (Flag(revision, "userhidden") ? HiddenFields.User : HiddenFields.None)
                             | (Flag(revision, "commenthidden") ? HiddenFields.Summary : HiddenFields.None);
                if (!revision.TryGetProperty("slots", out var slots) || !slots.TryGetProperty("main", out var main) || main.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                if (Flag(main, "missing") || Flag(main, "textmissing"))
                {
                    return DiffFetchResult.Skip(SkipReason.RevisionMissing, "query: main slot content missing");
                }

                var content = main.TryGetProperty("content", out var fv2) && fv2.ValueKind == JsonValueKind.String ? fv2.GetString()
                    : main.TryGetProperty("*", out var fv1) && fv1.ValueKind == JsonValueKind.String ? fv1.GetString()
                    : null;
                if (content is not null)
                {
                    var lines = content.Split('\n').Select(l => l.TrimEnd('\r').Trim()).Where(l => l.Length > 0).ToList();
                    return lines.Count == 0
                        ? DiffFetchResult.Skip(SkipReason.EmptyDiff, "query: the new page is empty")
                        : DiffFetchResult.Ok(new DiffText(lines, [], [])) with { Hidden = hidden };
                }
            }
        }

        // prop=revisions without content (or without this revision) must not pass as an empty page.
        return pageMissing
            ? DiffFetchResult.Skip(SkipReason.RevisionMissing, "query: page missing")
            : DiffFetchResult.Fail(DiffFailure.BadResponse, "query: no content for the revision");
    }

    /// <summary>A boolean flag: <c>true</c> in formatversion=2, present with <c>""</c> in formatversion=1.</summary>
    private static bool Flag(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.False or JsonValueKind.Null);

    private static partial class Log
    {
        [LoggerMessage(EventId = 2002, EventName = "RevisionNotYetVisible", Level = LogLevel.Debug,
            Message = "Revision {WikiId}:{RevId} not visible to the API yet (try {Attempt}); asking again in {Delay}")]
        public static partial void RevisionNotYetVisible(ILogger logger, string wikiId, long revId, int attempt, TimeSpan delay);

        [LoggerMessage(EventId = 2003, EventName = "DomainRefused", Level = LogLevel.Warning,
            Message = "Event {WikiId}:{RevId} names a domain outside the allowlist; no request made")]
        public static partial void DomainRefused(ILogger logger, string wikiId, long revId);

        [LoggerMessage(EventId = 2004, EventName = "ApiRequestFailed", Level = LogLevel.Warning,
            Message = "Wiki API request for {WikiId}:{RevId} failed after retries ({Failure}, {ErrorType})")]
        public static partial void RequestFailed(ILogger logger, string wikiId, long revId, string failure, string errorType);
    }
}
