using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Safeguard.Stream.Classification.Evaluation;
using Safeguard.Stream.Core.Review;
using Safeguard.Stream.Postgres;

namespace Safeguard.Stream.Review.Pages;

/// <summary>Per policy and wiki: verdicts per day, flag rate, precision from moderators' labels (Wilson 95%), shadow
/// against enforce, latency p50/p95; charts are inline SVG drawn like the eval report's.</summary>
public sealed class DashboardModel(ReviewAccess access, TimeProvider time) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Wiki { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Policy { get; set; }

    [BindProperty(SupportsGet = true)]
    public int? Days { get; set; }

    public IReadOnlyList<PolicyPanel> Panels { get; private set; } = [];

    public int Quorum => access.Options.Quorum;

    public int WindowDays => Days ?? (int)Math.Ceiling(access.Options.DefaultWindow.TotalDays);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (Days is < 1 or > 3650)
        {
            return BadRequest();
        }

        var since = time.GetUtcNow() - TimeSpan.FromDays(WindowDays);
        var dashboard = await access.QueriesFor(User).PolicyDashboardAsync(
            since, Quorum, string.IsNullOrWhiteSpace(Wiki) ? null : Wiki.Trim(), string.IsNullOrWhiteSpace(Policy) ? null : Policy.Trim(), cancellationToken);
        var start = since.UtcDateTime.Date;
        Panels = [.. dashboard.Summaries
            .GroupBy(s => (s.PolicyId, s.WikiId))
            .Select(g => new PolicyPanel(
                g.Key.PolicyId,
                g.Key.WikiId,
                [.. g.Select(s => new ModeRow(s, Precision(dashboard.Labels, s)))],
                Chart(g.Key.PolicyId, g.Key.WikiId, dashboard.Days.Where(d => d.PolicyId == g.Key.PolicyId && d.WikiId == g.Key.WikiId).ToList(), start, WindowDays)))];
        return Page();
    }

    private static Precision Precision(IReadOnlyList<PolicyLabels> labels, PolicySummary summary) =>
        labels.FirstOrDefault(l => l.PolicyId == summary.PolicyId && l.WikiId == summary.WikiId && l.Mode == summary.Mode) is { } l
            ? Core.Review.Precision.FromLabels(l.Correct, l.Incorrect)
            : Core.Review.Precision.FromLabels(0, 0);

    private static string Chart(string policyId, string wikiId, IReadOnlyList<PolicyDay> days, DateTime start, int windowDays)
    {
        var byDay = days.ToDictionary(d => (int)(d.Day.Date - start).TotalDays);
        var verdicts = new List<(double X, double? Y)>();
        var flagged = new List<(double X, double? Y)>();
        for (var day = 0; day <= windowDays; day++)
        {
            var row = byDay.GetValueOrDefault(day);
            verdicts.Add((day, row?.Verdicts ?? 0));
            flagged.Add((day, row?.Flagged ?? 0));
        }

        var yMax = Math.Max(5, 5 * Math.Ceiling(verdicts.Max(p => p.Y ?? 0) / 5));
        return SvgPlot.Lines(
            $"daily-{policyId}-{wikiId}", $"{policyId} on {wikiId}: verdicts per day", $"days since {start:yyyy-MM-dd}", "verdicts",
            [new PlotSeries("verdicts", "#36c", false, verdicts), new PlotSeries("flagged", "#d73333", false, flagged)],
            xMax: windowDays, yMax: yMax);
    }

    public static string Rate(int part, int whole) =>
        whole == 0 ? "–" : ((double)part / whole).ToString("P1", CultureInfo.InvariantCulture);

    public static string Ms(double? value) => value is { } v ? v.ToString("0", CultureInfo.InvariantCulture) + " ms" : "–";

    public static string Describe(Precision p) => p.Estimate is { } e
        ? string.Create(CultureInfo.InvariantCulture, $"{e:P0} ({p.Low:P0}–{p.High:P0}, {p.Labeled} labelled)")
        : "no labels yet";
}

public sealed record ModeRow(PolicySummary Summary, Precision Precision);

public sealed record PolicyPanel(string PolicyId, string WikiId, IReadOnlyList<ModeRow> Modes, string ChartSvg);
