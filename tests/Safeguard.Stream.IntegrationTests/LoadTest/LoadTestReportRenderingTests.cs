using System.Buffers.Binary;
using System.Text.RegularExpressions;
using Safeguard.Stream.IntegrationTests.Evaluation;

namespace Safeguard.Stream.IntegrationTests.LoadTest;

/// <summary>The shared load test's report, opened in Debian's headless Chromium with no network.</summary>
[Collection(LoadTestRunFixture.Collection)]
public sealed partial class LoadTestReportRenderingTests(LoadTestRunFixture run) : IDisposable
{
    private readonly Chromium _chromium = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("loadtest-report-test").FullName;

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
        Assert.Equal(1200, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)));
        Assert.Equal(2000, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));
        // Tables and plots compress far worse than an empty page of the same size.
        Assert.True(png.Length > 4 * new FileInfo(blankShot).Length, $"{png.Length} bytes against {new FileInfo(blankShot).Length} for a blank page");
    }

    [Fact]
    public async Task Report_InChromium_HasTheCurveWithTheKneeAndTheSizeBars()
    {
        var (dom, _) = await _chromium.LoadAsync(Report, null, TestContext.Current.CancellationToken);
        var knee = run.Results().GetProperty("sizing").GetProperty("knee").GetProperty("concurrency").GetInt32();
        var steps = run.Results().GetProperty("concurrency_steps").GetArrayLength();

        var plots = SvgElement().Matches(dom).ToDictionary(m => m.Groups["id"].Value, m => m.Value);
        Assert.True(plots.ContainsKey("throughput-latency"), dom.Length > 400 ? dom[..400] : dom);
        Assert.Equal(2 * steps, Regex.Count(plots["throughput-latency"], "<circle class=\"point\"")); // p50 and p95 per step
        Assert.Contains($"knee: concurrency {knee}", plots["throughput-latency"], StringComparison.Ordinal);
        Assert.Contains("<line class=\"marker\"", plots["throughput-latency"], StringComparison.Ordinal);
        Assert.Equal(steps, Regex.Count(plots["throughput-concurrency"], "<circle class=\"point\""));
        Assert.Equal(6, Regex.Count(plots["size-latency"], "<rect class=\"bar\"")); // two sizes × p50, p95, p99
        Assert.Contains(">64x16<", plots["size-latency"], StringComparison.Ordinal);
        Assert.Contains("id=\"sizing\"", dom, StringComparison.Ordinal);
        Assert.Contains("id=\"concurrency-steps\"", dom, StringComparison.Ordinal);
        Assert.Contains("The answers came from the <b>vLLM simulator</b>", dom, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_InChromium_MakesNoNetworkRequest()
    {
        var ct = TestContext.Current.CancellationToken;
        var html = await File.ReadAllTextAsync(Report, ct);
        var canary = Path.Combine(_directory, "canary.html");
        await File.WriteAllTextAsync(canary, "<!DOCTYPE html><html><body><img src=\"http://canary.invalid/a.png\"></body></html>", ct);

        var (_, reportLog) = await _chromium.LoadAsync(Report, null, ct);
        var (_, canaryLog) = await _chromium.LoadAsync(canary, null, ct);

        Assert.Contains("http://canary.invalid/a.png", Chromium.PageRequests(canaryLog)); // the detector works ...
        Assert.Empty(Chromium.PageRequests(reportLog));                                   // ... and the report asks for nothing
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Content-Security-Policy\" content=\"default-src 'none'", html, StringComparison.Ordinal);
    }

    [GeneratedRegex("""<svg id="(?<id>[a-z-]+)" class="plot".*?</svg>""", RegexOptions.Singleline)]
    private static partial Regex SvgElement();
}
