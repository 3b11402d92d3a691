using Safeguard.Stream.Classification.Evaluation;

namespace Safeguard.Stream.Classification.LoadTest;

/// <summary>
/// <c>report.html</c> of <c>safeguard loadtest</c>: the sizing answer, every step, the throughput–latency curve with the
/// knee marked, throughput against concurrency, and the latency by prompt and completion size as grouped bars. One
/// self-contained page like the eval report (<see cref="ReportPage"/>, <see cref="SvgPlot"/>): no script, nothing fetched.
/// </summary>
public static class LoadTestReportWriter
{
    private const string P50Color = "#1f77b4";
    private const string P95Color = "#ff7f0e";
    private const string P99Color = "#d62728";

    public static string Write(LoadTestResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var run = result.Run;
        var html = new StringBuilder(32 * 1024);
        ReportPage.Open(html, "Load test: " + run.Model);
        html.Append("<h1>").Append(E("Load test: " + run.Model)).Append("</h1><p class=\"muted\">")
            .Append(E(Invariant($"{run.Endpoint} · policy role {run.PolicyRole} · {run.Policies.Count} policies ({string.Join(", ", run.Policies)}) = {run.RequestsPerEdit} requests per edit · edits of {run.TypicalEditTokens} tokens · {run.DurationPerStepSeconds:0.#} s per step · max concurrency {run.MaxConcurrency} · max requests {run.MaxRequests} · started {run.StartedAt:yyyy-MM-dd HH:mm:ss} UTC · {run.DurationSeconds:0.#} s")))
            .Append("</p>\n");
        if (run.Simulated)
        {
            html.Append("<div class=\"warn\" id=\"simulated\">The answers came from the <b>vLLM simulator</b> (\"[simulated]\"): its capacity model is an assumption calibrated on one MI210 figure, so these numbers test the tool, <b>not a GPU</b>.</div>\n");
        }

        if (run.Ended != "completed")
        {
            html.Append("<div class=\"warn\" id=\"ended\">").Append(E(run.Ended switch
            {
                "interrupted" => "Interrupted (Ctrl-C): only the steps that finished are shown.",
                "running" => "Still running when written (the files are rewritten after every step): only the steps that finished are shown.",
                _ => "Stopped at --max-requests: the sweep may have ended before the knee.",
            })).Append("</div>\n");
        }

        Sizing(html, result.Sizing);
        html.Append("<h2>Plots</h2><div class=\"plots\">");
        Curves(html, result);
        SizeBars(html, result.SizeSteps);
        html.Append("</div>\n");
        Steps(html, "Concurrency sweep (real classification requests, no output cap)", "concurrency-steps", result.ConcurrencySteps);
        Steps(html, "Size sweep (edit tokens x completion tokens, forced with min_tokens)", "size-steps", result.SizeSteps);
        html.Append("<p class=\"muted\">Written by <code>safeguard loadtest</code>. Throughput is per closed-loop client from its first answer to its last (the first answer of each client is warm-up); latency is at the client. Knee rule: ")
            .Append(E(result.Sizing.Rule)).Append(".</p>\n</body></html>\n");
        return html.ToString();
    }

    private static void Sizing(StringBuilder html, LoadTestSizing s)
    {
        var k = s.Knee;
        html.Append("<h2>Sizing</h2><table id=\"sizing\"><tr><th class=\"l\">measure</th><th>value</th></tr>");
        Row(html, "saturation knee (concurrency)", k.Concurrency is { } c ? Invariant($"{c}") : "–", KneeNote(k.Reason));
        Row(html, "recommended Safeguard:Llm:MaxConcurrency", s.RecommendedMaxConcurrency is { } r ? Invariant($"{r}") : "–",
            k.Reason == KneeReason.NotReached ? "a lower bound: throughput still grew at the top of the sweep" : "per model server; replicas sharing it split it");
        Row(html, "requests/s at the knee", F(s.RequestsPerSecondAtKnee, "0.##"), null);
        Row(html, "edits/s at the knee (one GPU)", F(s.EditsPerSecondAtKnee, "0.###"), null);
        Row(html, "latency p50 at the knee (ms)", F(k.LatencyP50Ms, "0"), null);
        Row(html, "best throughput above the knee / at the knee", F(k.ThroughputGainAbove, "0.00"), "below 1.10 by the rule");
        Row(html, "p50 latency of the next step / at the knee", F(k.LatencyGrowthAbove, "0.00"), "the queue growing");
        if (s.TargetEditsPerSecond is { } target)
        {
            Row(html, Invariant($"GPUs for {target:0.###} edits/s"), s.GpusNeeded is { } g ? Invariant($"{g}") : "–", "ceil(target / edits/s at the knee)");
        }

        html.Append("</table>\n");
    }

    private static string KneeNote(KneeReason reason) => reason switch
    {
        KneeReason.Plateau => "throughput stopped growing",
        KneeReason.Errors => "errors rose above 5 % at the next step",
        KneeReason.NotReached => "not reached within --max-concurrency",
        _ => "no step without errors",
    };

    private static void Curves(StringBuilder html, LoadTestResult result)
    {
        var steps = result.ConcurrencySteps.Where(s => s.LatencyMs.P50 is not null).OrderBy(s => s.Concurrency).ToList();
        var knee = result.Sizing.Knee;
        var kneeStep = steps.FirstOrDefault(s => s.Concurrency == knee.Concurrency);
        var labels = steps.Select(s => Invariant($"concurrency {s.Concurrency}: {s.RequestsPerSecond:0.##} req/s")).ToList();
        var xMax = SvgPlot.NiceCeiling(steps.Count == 0 ? 1 : steps.Max(s => s.RequestsPerSecond));
        var yMax = SvgPlot.NiceCeiling(steps.Count == 0 ? 1 : steps.Max(s => s.LatencyMs.P95 ?? 0));
        html.Append(SvgPlot.Lines("throughput-latency", "Latency against throughput (each point a concurrency)", "requests per second", "latency (ms)",
        [
            new PlotSeries("p50", P50Color, false, [.. steps.Select(s => (s.RequestsPerSecond, s.LatencyMs.P50))]) { Labels = [.. labels.Zip(steps, (l, s) => Invariant($"{l}, {s.LatencyMs.P50:0} ms"))] },
            new PlotSeries("p95", P95Color, true, [.. steps.Select(s => (s.RequestsPerSecond, s.LatencyMs.P95))]) { Labels = [.. labels.Zip(steps, (l, s) => Invariant($"{l}, {s.LatencyMs.P95:0} ms"))] },
        ], xMax, yMax, markX: kneeStep?.RequestsPerSecond, markLabel: kneeStep is null ? null : Invariant($"knee: concurrency {kneeStep.Concurrency}")));

        var cMax = SvgPlot.NiceCeiling(steps.Count == 0 ? 1 : steps.Max(s => s.Concurrency));
        html.Append(SvgPlot.Lines("throughput-concurrency", "Throughput against concurrency", "requests in flight", "requests per second",
        [
            new PlotSeries("requests/s", P50Color, false, [.. steps.Select(s => ((double)s.Concurrency, (double?)s.RequestsPerSecond))]) { Labels = labels },
        ], cMax, xMax, markX: knee.Concurrency, markLabel: knee.Concurrency is { } c ? Invariant($"knee: {c}") : null));
    }

    private static void SizeBars(StringBuilder html, IReadOnlyList<LoadStep> steps)
    {
        var categories = steps.Select(s => Invariant($"{s.EditTokens}x{s.CompletionTokensRequested}")).ToList();
        html.Append(SvgPlot.CategoryBars("size-latency", "Latency by edit x completion tokens", "latency (ms)", categories,
        [
            ("p50", P50Color, [.. steps.Select(s => s.LatencyMs.P50)]),
            ("p95", P95Color, [.. steps.Select(s => s.LatencyMs.P95)]),
            ("p99", P99Color, [.. steps.Select(s => s.LatencyMs.P99)]),
        ]));
    }

    private static void Steps(StringBuilder html, string title, string id, IReadOnlyList<LoadStep> steps)
    {
        html.Append("<h2>").Append(E(title)).Append("</h2>");
        if (steps.Count == 0)
        {
            html.Append("<p class=\"muted\">none</p>\n");
            return;
        }

        html.Append("<table id=\"").Append(id).Append("\"><tr><th>concurrency</th><th>edit x out</th><th>requests</th><th>errors</th><th>requests/s</th><th>prompt tokens/s</th><th>completion tokens/s</th><th>edits/s</th>")
            .Append("<th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>prompt tokens (cached)</th><th>completion tokens</th><th>finish length</th></tr>");
        foreach (var s in steps)
        {
            var errors = s.Errors == 0 ? "0" : Invariant($"{s.Errors} ({string.Join(", ", s.ErrorKinds.Select(e => $"{e.Key} {e.Value}"))})");
            html.Append(Invariant($"<tr><td>{s.Concurrency}</td><td>{s.EditTokens}x{(s.CompletionTokensRequested is { } o ? o.ToString(CultureInfo.InvariantCulture) : "free")}</td><td>{s.Requests}</td><td>"))
                .Append(E(errors)).Append(Invariant($"</td><td>{s.RequestsPerSecond:0.##}</td><td>{s.PromptTokensPerSecond:0}</td><td>{s.CompletionTokensPerSecond:0}</td><td>{s.EditsPerSecond:0.###}</td><td>"))
                .Append(F(s.LatencyMs.P50, "0")).Append("</td><td>").Append(F(s.LatencyMs.P95, "0")).Append("</td><td>").Append(F(s.LatencyMs.P99, "0"))
                .Append(Invariant($"</td><td>{s.MeanPromptTokens:0} ({s.MeanCachedTokens:0})</td><td>{s.MeanCompletionTokens:0}</td><td>{s.LengthFinishes}</td></tr>"));
        }

        html.Append("</table>\n");
    }

    private static void Row(StringBuilder html, string name, string value, string? note) =>
        html.Append("<tr><td class=\"l\">").Append(E(name)).Append("</td><td>").Append(E(value)).Append("</td>")
            .Append(note is null ? "" : "<td class=\"l muted\">" + E(note) + "</td>").Append("</tr>");

    private static string F(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "–";

    private static string E(string text) => SvgPlot.Encode(text);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
