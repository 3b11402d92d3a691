using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Safeguard.Stream.Classification.Evaluation;
using Safeguard.Stream.Core.Review;
using Safeguard.Stream.Postgres;

namespace Safeguard.Stream.Review.Pages;

/// <summary>Per policy and wiki: verdicts per day, flag rate, precision from moderators' labels (Wilson 95%) beside the
/// last recorded eval run's (<c>safeguard eval --record</c>, at the policy's threshold), shadow against enforce, the
/// tagger's safety valve, latency p50/p95; charts are inline SVG drawn like the eval report's.</summary>
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
            .Select(g =>
            {
                var modes = g.Select(s => new ModeRow(s, Precision(dashboard.Labels, s))).ToList();
                var eval = dashboard.LastEvals.FirstOrDefault(e => e.PolicyId == g.Key.PolicyId);
                var evalPrecision = eval is null ? (Precision?)null : Core.Review.Precision.FromLabels(eval.TruePositives, eval.FalsePositives);
                return new PolicyPanel(
                    g.Key.PolicyId,
                    g.Key.WikiId,
                    modes,
                    Chart(g.Key.PolicyId, g.Key.WikiId, dashboard.Days.Where(d => d.PolicyId == g.Key.PolicyId && d.WikiId == g.Key.WikiId).ToList(), start, WindowDays))
                {
                    Eval = eval,
                    EvalPrecision = evalPrecision,
                    PrecisionSvg = PrecisionChart(g.Key.PolicyId, g.Key.WikiId, modes, evalPrecision),
                    Valve = dashboard.Valves.FirstOrDefault(v => v.PolicyId == g.Key.PolicyId && v.WikiId == g.Key.WikiId),
                };
            })];
        return Page();
    }

    // Precision side by side: moderators' (per mode) and the last eval's, as bars of the estimate (the table has the intervals).
    private static string PrecisionChart(string policyId, string wikiId, IReadOnlyList<ModeRow> modes, Precision? eval)
    {
        var categories = modes.Select(m => "moderators, " + m.Summary.Mode).Append("last eval").ToList();
        IReadOnlyList<double?> values = [.. modes.Select(m => m.Precision.Estimate * 100), eval?.Estimate * 100];
        return SvgPlot.CategoryBars(
            $"precision-chart-{policyId}-{wikiId}", $"{policyId} on {wikiId}: precision, moderators' labels and the last eval", "precision (%)",
            categories, [("precision", "#36c", values)]);
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

    /// <summary>The tagger's safety valve in words: open (tagging of the pair stopped) since when and why, or closed.</summary>
    public static string Describe(DashboardValve? valve) => valve switch
    {
        null => "Safety valve: closed (never opened)",
        { Open: true } => string.Create(CultureInfo.InvariantCulture, $"Safety valve: open since {valve.OpenedAt:yyyy-MM-dd HH:mm} UTC, tagging stopped: {valve.Reason}"),
        _ => string.Create(CultureInfo.InvariantCulture,
            $"Safety valve: closed (re-armed {valve.ResetAt:yyyy-MM-dd HH:mm} UTC{(valve.ResetBy is { } by ? " by " + by : "")}; last opened for: {valve.Reason})"),
    };
}

public sealed record ModeRow(PolicySummary Summary, Precision Precision);

public sealed record PolicyPanel(string PolicyId, string WikiId, IReadOnlyList<ModeRow> Modes, string ChartSvg)
{
    /// <summary>The policy's last recorded eval run (any wiki's data); null when none was recorded.</summary>
    public LastEval? Eval { get; init; }

    public Precision? EvalPrecision { get; init; }

    public string PrecisionSvg { get; init; } = "";

    /// <summary>The tagger's valve of this pair; null when it never opened (or the pair is not tagged).</summary>
    public DashboardValve? Valve { get; init; }
}
