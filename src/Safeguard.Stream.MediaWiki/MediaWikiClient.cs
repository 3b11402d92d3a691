using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Safeguard.Stream.Core.Diffs;
using Safeguard.Stream.Core.Events;
using Safeguard.Stream.Core.Routing;

namespace Safeguard.Stream.MediaWiki;

/// <summary>
/// Fetches what an edit changed through the Action API of the edit's own wiki: <c>action=compare</c> for edits,
/// the revision's content for page creations. Honours <c>maxlag</c> and <c>Retry-After</c>; transport retries and
/// the circuit breaker come from the standard resilience handler on the HttpClient.
/// Hidden or deleted revisions are skipped with a reason and nothing of their content is kept.
/// </summary>
public sealed partial class MediaWikiClient(
    HttpClient http,
    IOptions<MediaWikiOptions> options,
    TimeProvider timeProvider,
    ILogger<MediaWikiClient> logger)
{
    private readonly MediaWikiOptions _options = options.Value;
    private readonly DomainAllowlist _allowlist = new(options.Value.AllowedDomains);

    public async Task<DiffFetchResult> GetDiffAsync(EditEvent edit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(edit);
        if (!_allowlist.IsAllowed(edit.Domain))
        {
            return DiffFetchResult.Skip(SkipReason.DomainNotAllowed, $"domain '{edit.Domain}' is not in Safeguard:MediaWiki:AllowedDomains");
        }

        var isCreation = edit.ParentRevId is null or 0;
        var query = isCreation
            ? $"action=query&prop=revisions&revids={edit.RevId}&rvprop=ids%7Ccontent&rvslots=main&format=json&formatversion=2&maxlag={_options.MaxLagSeconds}"
            : $"action=compare&fromrev={edit.ParentRevId}&torev={edit.RevId}&prop=diff%7Cids%7Ctitle&format=json&formatversion=2&maxlag={_options.MaxLagSeconds}";
        var url = new Uri(_options.ApiUrlTemplate.Replace("{domain}", edit.Domain, StringComparison.Ordinal) + "?" + query);

        for (var missingAttempt = 0; ; missingAttempt++)
        {
            using var document = await GetJsonAsync(url, edit.Domain, cancellationToken);
            var root = document.RootElement;
            if (root.TryGetProperty("error", out var error))
            {
                var code = error.TryGetProperty("code", out var c) ? c.GetString() ?? "unknown" : "unknown";
                switch (code)
                {
                    case "nosuchrevid" when missingAttempt < _options.MissingRevisionRetries:
                        // Right after the event the revision may not have reached the API's replica yet.
                        await Task.Delay(_options.MissingRevisionDelay, timeProvider, cancellationToken);
                        continue;
                    case "nosuchrevid" or "missingtitle" or "nosuchpageid":
                        return DiffFetchResult.Skip(SkipReason.RevisionMissing, $"API error {code}");
                    case "permissiondenied" or "missingcontent" or "revdeleted" or "suppressed":
                        return DiffFetchResult.Skip(SkipReason.RevisionHidden, $"API error {code}");
                    default:
                        return DiffFetchResult.Fail("mediawiki_error", $"API error {code}");
                }
            }

            return isCreation ? ReadCreation(root, edit) : ReadCompare(root);
        }
    }

    private static DiffFetchResult ReadCompare(JsonElement root)
    {
        if (!root.TryGetProperty("compare", out var compare))
        {
            return DiffFetchResult.Fail("mediawiki_response", "compare response without 'compare'");
        }

        if (compare.TryGetProperty("texthidden", out _) || compare.TryGetProperty("fromtexthidden", out _) ||
            compare.TryGetProperty("totexthidden", out _) || compare.TryGetProperty("suppressed", out _))
        {
            return DiffFetchResult.Skip(SkipReason.RevisionHidden, "revision text is hidden");
        }

        // formatversion=2 names the diff 'body'; formatversion=1 (and old recordings) use '*'.
        var html = compare.TryGetProperty("body", out var body) ? body.GetString()
            : compare.TryGetProperty("*", out var star) ? star.GetString()
            : null;
        if (html is null)
        {
            return DiffFetchResult.Fail("mediawiki_response", "compare response without a diff body");
        }

        var diff = DiffHtmlParser.Parse(html);
        return diff.IsEmpty ? DiffFetchResult.Skip(SkipReason.EmptyDiff, "the diff has no added or removed text") : DiffFetchResult.Ok(diff);
    }

    private static DiffFetchResult ReadCreation(JsonElement root, EditEvent edit)
    {
        if (root.TryGetProperty("query", out var query) && query.TryGetProperty("badrevids", out _))
        {
            return DiffFetchResult.Skip(SkipReason.RevisionMissing, $"revision {edit.RevId} is in badrevids");
        }

        if (!root.TryGetProperty("query", out query) || !query.TryGetProperty("pages", out var pages) ||
            pages.ValueKind is not (JsonValueKind.Array or JsonValueKind.Object))
        {
            return DiffFetchResult.Fail("mediawiki_response", "revisions response without query.pages");
        }

        // formatversion=2 lists pages in an array; formatversion=1 keys them by page id.
        var pageList = pages.ValueKind == JsonValueKind.Array ? pages.EnumerateArray().ToList() : [.. pages.EnumerateObject().Select(p => p.Value)];
        foreach (var page in pageList)
        {
            if (page.TryGetProperty("missing", out _))
            {
                return DiffFetchResult.Skip(SkipReason.RevisionMissing, "page is missing");
            }

            if (!page.TryGetProperty("revisions", out var revisions) || revisions.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var revision in revisions.EnumerateArray())
            {
                if (revision.TryGetProperty("revid", out var revid) && revid.TryGetInt64(out var id) && id != edit.RevId)
                {
                    continue;
                }

                if (revision.TryGetProperty("texthidden", out _) || revision.TryGetProperty("suppressed", out _))
                {
                    return DiffFetchResult.Skip(SkipReason.RevisionHidden, "revision text is hidden");
                }

                if (revision.TryGetProperty("slots", out var slots) && slots.TryGetProperty("main", out var main))
                {
                    if (main.TryGetProperty("texthidden", out _) || main.TryGetProperty("missing", out _) || main.TryGetProperty("badcontentformat", out _))
                    {
                        return DiffFetchResult.Skip(SkipReason.RevisionHidden, "revision content is hidden or missing");
                    }

                    var content = main.TryGetProperty("content", out var fv2) ? fv2.GetString()
                        : main.TryGetProperty("*", out var fv1) ? fv1.GetString()
                        : null;
                    if (content is not null)
                    {
                        var lines = content.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
                        return lines.Count == 0
                            ? DiffFetchResult.Skip(SkipReason.EmptyDiff, "the new page is empty")
                            : DiffFetchResult.Ok(new DiffText(lines, [], []));
                    }
                }
            }
        }

        return DiffFetchResult.Fail("mediawiki_response", $"no content for revision {edit.RevId}");
    }

    private async Task<JsonDocument> GetJsonAsync(Uri url, string domain, CancellationToken cancellationToken)
    {
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
            {
                await WaitRetryAfterAsync(response, domain, cancellationToken);
                continue;
            }

            response.EnsureSuccessStatusCode();
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
            if (document.RootElement.TryGetProperty("error", out var error) && error.TryGetProperty("code", out var code) && code.ValueEquals("maxlag"u8))
            {
                // Replicas are lagging: the API asks bots to pause for Retry-After seconds and try again.
                document.Dispose();
                await WaitRetryAfterAsync(response, domain, cancellationToken);
                continue;
            }

            return document;
        }
    }

    private async Task WaitRetryAfterAsync(HttpResponseMessage response, string domain, CancellationToken cancellationToken)
    {
        var delay = response.Headers.RetryAfter?.Delta
            ?? (response.Headers.TryGetValues("Retry-After", out var values) &&
                int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                ? TimeSpan.FromSeconds(seconds)
                : TimeSpan.FromSeconds(5));
        if (delay > _options.MaxRetryAfter)
        {
            delay = _options.MaxRetryAfter;
        }

        Log.BackingOff(logger, domain, (int)response.StatusCode, delay);
        await Task.Delay(delay, timeProvider, cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, EventName = "ApiBackoff", Level = LogLevel.Information,
            Message = "Wiki API of {Domain} asked us to back off (HTTP {Status}); waiting {Delay}")]
        public static partial void BackingOff(ILogger logger, string domain, int status, TimeSpan delay);
    }
}
