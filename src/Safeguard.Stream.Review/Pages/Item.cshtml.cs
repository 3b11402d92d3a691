using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Safeguard.Stream.Postgres;

namespace Safeguard.Stream.Review.Pages;

/// <summary>
/// One verdict at <c>/item/{wikiId}/{revId}/{policyId}</c> (the route the tagger's tag reason links to): the edit's
/// diff fetched live from its wiki, the verdict, and a blind judgement form. A revision the wiki has hidden since
/// shows "revision deleted" and nothing else.
/// </summary>
public sealed class ItemModel(ReviewAccess access, RevisionDiffs diffs) : PageModel
{
    public const int MaxNoteLength = 2_000;

    public ReviewItem? Item { get; private set; }

    public RevisionDiff? Diff { get; private set; }

    public IReadOnlyList<ReviewJudgement> Judgements { get; private set; } = [];

    public string? Label { get; private set; }

    public int Quorum => access.Options.Quorum;

    [BindProperty]
    public string? Verdict { get; set; }

    [BindProperty]
    public string? Note { get; set; }

    public string? Problem { get; private set; }

    public ReviewJudgement? Mine => Judgements.FirstOrDefault(j => j.Mine);

    /// <summary>The item page's address; the tagger's tag reason builds the same one.</summary>
    public static string Route(string wikiId, long revId, string policyId) =>
        string.Create(CultureInfo.InvariantCulture, $"/item/{Uri.EscapeDataString(wikiId)}/{revId}/{Uri.EscapeDataString(policyId)}");

    public async Task<IActionResult> OnGetAsync(string wikiId, long revId, string policyId, CancellationToken cancellationToken) =>
        await LoadAsync(wikiId, revId, policyId, cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(string wikiId, long revId, string policyId, CancellationToken cancellationToken)
    {
        var queries = access.QueriesFor(User);
        var item = await queries.ReviewItemAsync(wikiId, revId, policyId, cancellationToken);
        if (item is null || item.Redacted)
        {
            return NotFound();
        }

        if (Verdict is null || !ReviewVerdicts.All.Contains(Verdict) || Note?.Length > MaxNoteLength)
        {
            Problem = $"Choose correct, incorrect or unsure; a note may have up to {MaxNoteLength} characters.";
            await LoadAsync(wikiId, revId, policyId, cancellationToken);
            return Page();
        }

        var outcome = await queries.JudgeAsync(item.Id, ReviewAccess.ReviewerId(User), Verdict, Note, cancellationToken);
        return outcome == JudgeOutcome.NotFound ? NotFound() : RedirectToPage(new { wikiId, revId, policyId });
    }

    private async Task<bool> LoadAsync(string wikiId, long revId, string policyId, CancellationToken cancellationToken)
    {
        var queries = access.QueriesFor(User);
        Item = await queries.ReviewItemAsync(wikiId, revId, policyId, cancellationToken);
        if (Item is null)
        {
            return false;
        }

        Diff = await diffs.FetchAsync(Item, cancellationToken);
        if (Diff.Deleted)
        {
            return true;
        }

        var reviewer = ReviewAccess.ReviewerId(User);
        Judgements = await queries.JudgementsAsync(Item.Id, reviewer, cancellationToken);
        Label = await queries.ConsensusAsync(Item.Id, reviewer, Quorum, cancellationToken);
        return true;
    }

    public string WikiDiffUrl => string.Create(CultureInfo.InvariantCulture, $"https://{Item!.Domain}/w/index.php?diff={Item.RevId}");
}
