namespace Safeguard.Stream.MediaWiki;

/// <summary>What the Action API says of one revision: its parent (null for a page creation or when unknown), page and namespace.</summary>
public sealed record RevisionSummary(long RevId, long? ParentId, string? Title, int Namespace);

public sealed partial class MediaWikiClient
{
    /// <summary>
    /// Looks up a revision's parent, page title and namespace (<c>prop=revisions&amp;rvprop=ids</c>), through the same
    /// per-wiki HTTP pipeline as <see cref="GetDiffAsync"/>. Null when the domain is not allowed or the wiki does not
    /// answer usefully; callers then treat the revision as a page creation (its content is what they fetch).
    /// </summary>
    public async Task<RevisionSummary?> LookUpRevisionAsync(string domain, long revId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(domain);
        if (!_allowlist.IsAllowed(domain))
        {
            return null;
        }

        var wiki = domain.ToLowerInvariant();
        var url = new Uri(_options.ApiUrlTemplate.Replace("{domain}", wiki, StringComparison.Ordinal) + string.Create(CultureInfo.InvariantCulture,
            $"?action=query&prop=revisions&revids={revId}&rvprop=ids&format=json&formatversion=2&maxlag={_options.MaxLagSeconds}"));
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Options.Set(WikiApiRequest.Wiki, wiki);
        request.Options.Set(WikiApiRequest.Action, "query");
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            return ReadRevision(document.RootElement, revId);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is JsonException || FailureOf(ex) is not null)
        {
            return null;
        }
    }

    private static RevisionSummary? ReadRevision(JsonElement root, long revId)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("query", out var query) || query.ValueKind != JsonValueKind.Object ||
            !query.TryGetProperty("pages", out var pages) || pages.ValueKind != JsonValueKind.Array || pages.GetArrayLength() == 0)
        {
            return null;
        }

        var page = pages[0];
        if (page.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var title = page.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        var ns = page.TryGetProperty("ns", out var n) && n.ValueKind == JsonValueKind.Number && n.TryGetInt32(out var number) ? number : 0;
        long? parent = page.TryGetProperty("revisions", out var revisions) && revisions.ValueKind == JsonValueKind.Array && revisions.GetArrayLength() > 0 &&
                       revisions[0].ValueKind == JsonValueKind.Object &&
                       revisions[0].TryGetProperty("parentid", out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt64(out var parentId)
            ? parentId
            : null;
        return new RevisionSummary(revId, parent, title, ns);
    }
}
