using System.Text.RegularExpressions;
using Safeguard.Stream.Classification.Evaluation;
using static Safeguard.Stream.Classification.Tests.Evaluation.EvalFixtures;

namespace Safeguard.Stream.Classification.Tests.Evaluation;

public sealed partial class EvalReportWriterTests
{
    private static (EvalMetrics Metrics, List<EvalPrediction> Predictions) CreateRun(double shift = 0)
    {
        List<EvalPrediction> predictions =
        [
            Scored(true, true, 0.9 - shift, latencyMs: 12), Scored(true, false, 0.3, latencyMs: 40), Scored(false, true, 0.7, latencyMs: 18, rationale: "<script>alert(1)</script> https://evil.example/"),
            Scored(false, false, 0.1, latencyMs: 9), Error(false),
        ];
        return (EvalMetricsCalculator.Compute(Run(), Dataset(5) with { Problems = [new EvalDatasetProblem(7, "unknown label 'x'")] }, predictions), predictions);
    }

    [Fact]
    public void Write_Run_HasEveryPlotWithDataPointsAndNoExternalUrl()
    {
        var (metrics, predictions) = CreateRun();

        var html = EvalReportWriter.Write(metrics, predictions);

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        foreach (var id in new[] { "pr-threshold", "reliability", "latency-histogram" })
        {
            Assert.Matches($"<svg id=\"{id}\" class=\"plot\" data-points=\"[1-9][0-9]*\"", html);
        }

        Assert.Contains("<circle class=\"point\"", html, StringComparison.Ordinal);
        Assert.Contains("<rect class=\"bar\"", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(ExternalReference(), html);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("unknown label &#39;x&#39;", html, StringComparison.Ordinal);
        Assert.Contains("id=\"simulated\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("baseline", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_WithBaseline_ShowsBothRunsSideBySide()
    {
        var (metrics, predictions) = CreateRun();
        var (baseline, _) = CreateRun(shift: 0.2);

        var html = EvalReportWriter.Write(metrics with { Baseline = EvalMetricsCalculator.Compare(metrics, baseline, "/runs/old") }, predictions, baseline);

        Assert.Contains("<th>baseline</th><th>Δ</th>", html, StringComparison.Ordinal);
        Assert.Contains("data-series=\"baseline precision\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"baseline-latency-histogram\"", html, StringComparison.Ordinal);
        Assert.Contains("<caption>baseline</caption>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_AllErrors_StillWritesAPageThatSaysSo()
    {
        List<EvalPrediction> predictions = [Error(true), Error(false)];

        var html = EvalReportWriter.Write(EvalMetricsCalculator.Compute(Run(), Dataset(2), predictions), predictions);

        Assert.Contains("No classification succeeded", html, StringComparison.Ordinal);
        Assert.Contains("id=\"latency-histogram\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadMetrics_WrittenMetrics_RoundTrips()
    {
        var (metrics, _) = CreateRun();

        var json = EvalJson.Metrics(metrics);
        var read = EvalJson.ReadMetrics(json);

        Assert.Contains("\"true_positives\": 1", json, StringComparison.Ordinal);
        Assert.Contains("\"confusion_matrix\"", json, StringComparison.Ordinal);
        Assert.Contains("\"p95\"", json, StringComparison.Ordinal);
        Assert.Equal(metrics.Overall, read.Overall);
        Assert.Equal(metrics.Thresholds, read.Thresholds);
        Assert.Equal(metrics.ThresholdCurve, read.ThresholdCurve);
        Assert.Equal(metrics.LatencyMs, read.LatencyMs);
        Assert.Equal(metrics.PerLanguage["en"], read.PerLanguage["en"]);
        Assert.Equal(metrics.Run.PositiveLabels, read.Run.PositiveLabels);
        Assert.True(read.Run.Simulated);
    }

    [Fact]
    public void PredictionLine_ErrorAndScored_HaveTheDocumentedFields()
    {
        var scored = System.Text.Json.JsonDocument.Parse(EvalJson.PredictionLine(Scored(true, true, 0.875))).RootElement;
        var error = System.Text.Json.JsonDocument.Parse(EvalJson.PredictionLine(Error(false, "length"))).RootElement;

        foreach (var field in new[] { "id", "label", "truth", "verdict", "probability", "category", "rationale", "tokens", "latency_ms", "error" })
        {
            Assert.True(scored.TryGetProperty(field, out _), field);
            Assert.True(error.TryGetProperty(field, out _), field);
        }

        Assert.Equal(0.875, scored.GetProperty("probability").GetDouble());
        Assert.Equal("ok", scored.GetProperty("status").GetString());
        Assert.Equal("length", error.GetProperty("error").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, error.GetProperty("verdict").ValueKind);
    }

    [Fact]
    public void Progress_BarAndLine_ShowRateAndEta()
    {
        var progress = new EvalProgress(50, 200, 1, TimeSpan.FromSeconds(10));

        Assert.Equal("[##########------------------------------] 50/200  25% 5.0/s ETA 0:30 errors 1", progress.Bar(40));
        Assert.Equal("eval: 50/200  25% 5.0/s ETA 0:30 errors 1", progress.Line());
        Assert.Equal("eval: 0/10   0% -/s ETA - errors 0", new EvalProgress(0, 10, 0, TimeSpan.Zero).Line());
    }

    [GeneratedRegex("""(src|href)\s*=\s*["']?\s*(https?:)?//""", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();
}
