using System.Text.RegularExpressions;

namespace Safeguard.Stream.IntegrationTests.Evaluation;

/// <summary>
/// What every self-contained report must do in Debian's headless Chromium with no network (<c>safeguard eval</c>'s,
/// <c>safeguard loadtest</c>'s): render as a full page, and ask for nothing. Subclasses name the report and check its content.
/// </summary>
public abstract partial class ChromiumReportTests : IDisposable
{
    private protected Chromium Browser { get; } = new();

    protected string TempDirectory { get; } = Directory.CreateTempSubdirectory("report-test").FullName;

    /// <summary>The report.html under test.</summary>
    protected abstract string Report { get; }

    public void Dispose()
    {
        Browser.Dispose();
        Directory.Delete(TempDirectory, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public Task Report_InChromium_ScreenshotIsAFullNonTrivialPage() =>
        Browser.AssertFullNonTrivialScreenshotAsync(Report, TempDirectory, TestContext.Current.CancellationToken);

    [Fact]
    public async Task Report_InChromium_MakesNoNetworkRequest()
    {
        var ct = TestContext.Current.CancellationToken;
        var html = await File.ReadAllTextAsync(Report, ct);
        var canary = Path.Combine(TempDirectory, "canary.html");
        await File.WriteAllTextAsync(canary, "<!DOCTYPE html><html><body><img src=\"http://canary.invalid/a.png\"><link rel=\"stylesheet\" href=\"https://canary.invalid/b.css\"></body></html>", ct);

        var (_, reportLog) = await Browser.LoadAsync(Report, null, ct);
        var (_, canaryLog) = await Browser.LoadAsync(canary, null, ct);

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

    /// <summary>The report's plots by id (each an inline <c>svg.plot</c>).</summary>
    protected static Dictionary<string, string> Plots(string dom) => SvgElement().Matches(dom).ToDictionary(m => m.Groups["id"].Value, m => m.Value);

    [GeneratedRegex("""<svg id="(?<id>[a-z-]+)" class="plot".*?</svg>""", RegexOptions.Singleline)]
    private static partial Regex SvgElement();

    [GeneratedRegex("""(src|href|action)\s*=\s*["']?\s*(https?:)?//|url\(\s*["']?\s*(https?:)?//|@import""", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();
}
