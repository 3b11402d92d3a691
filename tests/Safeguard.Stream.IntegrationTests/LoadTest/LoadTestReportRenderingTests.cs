using System.Text.RegularExpressions;
using Safeguard.Stream.IntegrationTests.Evaluation;

namespace Safeguard.Stream.IntegrationTests.LoadTest;

/// <summary>The shared load test's report, opened in Debian's headless Chromium with no network.</summary>
[Collection(LoadTestRunFixture.Collection)]
public sealed class LoadTestReportRenderingTests(LoadTestRunFixture run) : ChromiumReportTests
{
    protected override string Report => Path.Combine(run.Output, "report.html");

    [Fact]
    public async Task Report_InChromium_HasTheCurveWithTheKneeAndTheSizeBars()
    {
        var (dom, _) = await Browser.LoadAsync(Report, null, TestContext.Current.CancellationToken);
        var knee = run.Results().GetProperty("sizing").GetProperty("knee").GetProperty("concurrency").GetInt32();
        var steps = run.Results().GetProperty("concurrency_steps").GetArrayLength();

        var plots = Plots(dom);
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
}
