using System.Buffers.Binary;
using System.Text.RegularExpressions;

namespace Safeguard.Stream.IntegrationTests.Evaluation;

/// <summary>The report of the shared ClueBot NG run, opened in headless Chromium with no network.</summary>
[Collection(EvalRunFixture.Collection)]
public sealed partial class ReportRenderingTests(EvalRunFixture run) : IDisposable
{
    private readonly Chromium _chromium = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("report-test").FullName;

    private string Report => Path.Combine(run.Output, "report.html");

    public void Dispose()
    {
        _chromium.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Report_InChromium_ScreenshotIsAFullNonTrivialPage()
    {
        var ct = TestContext.Current.CancellationToken;
        var shot = Path.Combine(_directory, "report.png");
        var blankPage = Path.Combine(_directory, "blank.html");
        var blankShot = Path.Combine(_directory, "blank.png");
        await File.WriteAllTextAsync(blankPage, "<!DOCTYPE html><html><body></body></html>", ct);

        await _chromium.LoadAsync(Report, shot, ct);
        await _chromium.LoadAsync(blankPage, blankShot, ct);

        var png = await File.ReadAllBytesAsync(shot, ct);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Equal(1200, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)));   // IHDR width
        Assert.Equal(2000, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));   // IHDR height
        // Text, tables and plots compress far worse than an empty page of the same size.
        Assert.True(png.Length > 4 * new FileInfo(blankShot).Length, $"{png.Length} bytes against {new FileInfo(blankShot).Length} for a blank page");
    }

    [Fact]
    public async Task Report_InChromium_DomHasEveryPlotWithDataPoints()
    {
        var (dom, _) = await _chromium.LoadAsync(Report, null, TestContext.Current.CancellationToken);

        var plots = SvgElement().Matches(dom).ToDictionary(m => m.Groups["id"].Value, m => m.Value);
        Assert.True(plots.ContainsKey("pr-threshold"), dom.Length > 400 ? dom[..400] : dom);
        Assert.True(PointCount(plots["pr-threshold"], "circle") >= 50);   // precision and recall at 101 thresholds
        Assert.Contains("data-series=\"recall\"", plots["pr-threshold"], StringComparison.Ordinal);
        Assert.True(PointCount(plots["reliability"], "circle") >= 2);
        Assert.True(PointCount(plots["latency-histogram"], "rect") >= 1);
        Assert.Contains("<polyline class=\"series\"", plots["pr-threshold"], StringComparison.Ordinal);
        Assert.Contains("id=\"thresholds\"", dom, StringComparison.Ordinal);
        Assert.Contains("Verdicts came from the <b>vLLM simulator</b>", dom, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_InChromium_MakesNoNetworkRequest()
    {
        var ct = TestContext.Current.CancellationToken;
        var html = await File.ReadAllTextAsync(Report, ct);
        var canary = Path.Combine(_directory, "canary.html");
        await File.WriteAllTextAsync(canary, "<!DOCTYPE html><html><body><img src=\"http://canary.invalid/a.png\"><link rel=\"stylesheet\" href=\"https://canary.invalid/b.css\"></body></html>", ct);

        var (_, reportLog) = await _chromium.LoadAsync(Report, null, ct);
        var (_, canaryLog) = await _chromium.LoadAsync(canary, null, ct);

        // The detector sees a page's requests (so an empty list below means something) ...
        Assert.Contains("http://canary.invalid/a.png", Chromium.PageRequests(canaryLog));
        Assert.Contains("https://canary.invalid/b.css", Chromium.PageRequests(canaryLog));
        // ... and the report makes none, and names no external resource at all.
        Assert.Empty(Chromium.PageRequests(reportLog));
        Assert.DoesNotMatch(ExternalReference(), html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Content-Security-Policy\" content=\"default-src 'none'", html, StringComparison.Ordinal);
    }

    private static int PointCount(string svg, string element) =>
        Regex.Count(svg, $"<{element} class=\"(point|bar)\"");

    [GeneratedRegex("""<svg id="(?<id>[a-z-]+)" class="plot".*?</svg>""", RegexOptions.Singleline)]
    private static partial Regex SvgElement();

    [GeneratedRegex("""(src|href|action)\s*=\s*["']?\s*(https?:)?//|url\(\s*["']?\s*(https?:)?//|@import""", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();
}
