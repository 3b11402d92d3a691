using System.Text.RegularExpressions;

namespace Safeguard.Stream.IntegrationTests.Evaluation;

/// <summary>The report of the shared ClueBot NG run, opened in headless Chromium with no network.</summary>
[Collection(EvalRunFixture.Collection)]
public sealed class ReportRenderingTests(EvalRunFixture run) : ChromiumReportTests
{
    protected override string Report => Path.Combine(run.Output, "report.html");

    [Fact]
    public async Task Report_InChromium_DomHasEveryPlotWithDataPoints()
    {
        var (dom, _) = await Browser.LoadAsync(Report, null, TestContext.Current.CancellationToken);

        var plots = Plots(dom);
        Assert.True(plots.ContainsKey("pr-threshold"), dom.Length > 400 ? dom[..400] : dom);
        Assert.True(PointCount(plots["pr-threshold"], "circle") >= 50);   // precision and recall at 101 thresholds
        Assert.Contains("data-series=\"recall\"", plots["pr-threshold"], StringComparison.Ordinal);
        Assert.True(PointCount(plots["reliability"], "circle") >= 2);
        Assert.True(PointCount(plots["latency-histogram"], "rect") >= 1);
        Assert.Contains("<polyline class=\"series\"", plots["pr-threshold"], StringComparison.Ordinal);
        Assert.Contains("id=\"thresholds\"", dom, StringComparison.Ordinal);
        Assert.Contains("Verdicts came from the <b>vLLM simulator</b>", dom, StringComparison.Ordinal);
    }

    private static int PointCount(string svg, string element) =>
        Regex.Count(svg, $"<{element} class=\"(point|bar)\"");
}
