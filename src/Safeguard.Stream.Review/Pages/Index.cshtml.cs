using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Safeguard.Stream.Postgres;

namespace Safeguard.Stream.Review.Pages;

/// <summary>The queue: flagged edits, those the reviewer has not judged first; filters are a plain GET form.</summary>
public sealed class IndexModel(ReviewAccess access, TimeProvider time) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Wiki { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Policy { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Language { get; set; }

    /// <summary>Days back; the configured window when empty.</summary>
    [BindProperty(SupportsGet = true)]
    public int? Days { get; set; }

    [BindProperty(SupportsGet = true)]
    public double? MinProbability { get; set; }

    /// <summary>enforce (flags), shadow (would-flags) or all.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Mode { get; set; }

    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; }

    public IReadOnlyList<ReviewQueueItem> Items { get; private set; } = [];

    public bool HasNextPage { get; private set; }

    public bool SeesRestricted { get; private set; }

    internal int DefaultDays => (int)Math.Ceiling(access.Options.DefaultWindow.TotalDays);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        Mode ??= "enforce";
        if (!ModelState.IsValid || Days is < 1 or > 3650 || MinProbability is < 0 or > 1 || PageNumber < 0 || Mode is not ("enforce" or "shadow" or "all"))
        {
            return BadRequest();
        }

        SeesRestricted = access.IsOversighter(User);
        var size = access.Options.PageSize;
        var query = new ReviewQueueQuery(
            time.GetUtcNow() - TimeSpan.FromDays(Days ?? DefaultDays), PageNumber, size + 1, Blank(Wiki), Blank(Policy), Blank(Language),
            MinProbability, Mode == "all" ? null : Mode);
        var rows = await access.QueriesFor(User).ReviewQueueAsync(query with { PageSize = size + 1 }, ReviewAccess.ReviewerId(User), access.Options.Quorum, cancellationToken);
        HasNextPage = rows.Count > size;
        Items = [.. rows.Take(size)];
        return Page();
    }

    public string PageLink(int page) => Url.Page("/Index", new { Wiki, Policy, Language, Days, MinProbability, Mode, p = page }) ?? "/";

    public static string ItemLink(ReviewQueueItem item) =>
        ItemModel.Route(item.WikiId, item.RevId, item.PolicyId);

    public static string Percent(float? probability) =>
        probability is { } p ? p.ToString("P0", CultureInfo.InvariantCulture) : "–";

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
