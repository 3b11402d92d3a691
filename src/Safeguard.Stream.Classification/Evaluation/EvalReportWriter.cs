namespace Safeguard.Stream.Classification.Evaluation;

/// <summary>
/// <c>report.html</c>: one self-contained page (inline CSS and inline SVG; no script, no external URL, so it opens
/// offline and loads nothing) with the numbers and the plots — precision and recall against the threshold, a
/// reliability diagram, the latency histogram — and, given a baseline, both runs side by side.
/// </summary>
public static class EvalReportWriter
{
    private const string CurrentColor = "#1f77b4";
    private const string RecallColor = "#ff7f0e";
    private const string BaselineColor = "#7f7f7f";
    private const int ListedRecords = 25;

    public static string Write(EvalMetrics metrics, IReadOnlyList<EvalPrediction> predictions, EvalMetrics? baseline = null)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(predictions);
        var run = metrics.Run;
        var html = new StringBuilder(64 * 1024);
        ReportPage.Open(html, $"Evaluation: {run.PolicyId} v{run.PolicyVersion}");
        html.Append("<h1>").Append(E($"Policy {run.PolicyId} v{run.PolicyVersion}")).Append("</h1><p class=\"muted\">")
            .Append(E(Invariant($"dataset {run.Dataset} · model {run.Model} · policy role {run.PolicyRole ?? "-"}{(baseline is null ? "" : $" (baseline: {baseline.Run.PolicyRole ?? "-"})")} · mode {run.PolicyMode} · threshold {run.PolicyThreshold:0.###} · positive labels {string.Join(", ", run.PositiveLabels)} · {run.Repeats} run(s) · started {run.StartedAt:yyyy-MM-dd HH:mm:ss} UTC · {run.DurationSeconds:0.#} s")))
            .Append("</p>\n");
        if (run.Simulated || baseline?.Run.Simulated == true)
        {
            html.Append("<div class=\"warn\" id=\"simulated\">Verdicts came from the <b>vLLM simulator</b> (rationales start with \"[simulated]\"): these numbers test the harness and the pipeline, <b>not moderation quality</b>.</div>\n");
        }

        if (metrics.Overall.Scored == 0)
        {
            html.Append("<div class=\"warn\">No classification succeeded: every rate below is undefined.</div>\n");
        }

        Summary(html, metrics, baseline);
        Confusion(html, metrics, baseline);
        ThresholdTable(html, metrics, baseline);
        Plots(html, metrics, baseline);
        Groups(html, "Per language", "lang", metrics.PerLanguage);
        html.Append("<p class=\"muted\">Category: ").Append(E(metrics.CategoryBasis)).Append(".</p>");
        Groups(html, "Per category", "category", metrics.PerCategory);
        PredictedCategories(html, metrics);
        Agreement(html, metrics, baseline);
        Mistakes(html, predictions);
        Problems(html, metrics.Dataset);
        html.Append("<p class=\"muted\">Written by <code>safeguard eval</code>. Rates are null (–) where undefined. Threshold rule: flag when the verdict is a violation and P(violation) ≥ threshold, as the live pipeline does.</p>\n</body></html>\n");
        return html.ToString();
    }

    private const string RateFormat = "0.000";

    /// <summary>The summary's counts, each read alike from this run and from the baseline.</summary>
    private static readonly (string Name, Func<EvalMetrics, object> Value)[] s_countRows =
    [
        ("records", m => m.Dataset.Records),
        ("excluded dataset lines", m => m.Dataset.Excluded),
        ("classifications", m => m.Tokens.Classifications),
        ("errors (run 1)", m => m.Overall.Errors),
        ("positives / negatives scored", m => Invariant($"{m.Overall.Positives} / {m.Overall.Negatives}")),
    ];

    /// <summary>The summary's measures, each read alike from this run and from the baseline, with the change between them.</summary>
    private static readonly (string Name, Func<EvalMetrics, double?> Value, string Format)[] s_measureRows =
    [
        ("precision", m => m.Overall.Precision, RateFormat),
        ("recall", m => m.Overall.Recall, RateFormat),
        ("F1", m => m.Overall.F1, RateFormat),
        ("accuracy", m => m.Overall.Accuracy, RateFormat),
        ("false-positive rate", m => m.Overall.FalsePositiveRate, RateFormat),
        ("precision at the policy threshold", m => m.AtPolicyThreshold.Precision, RateFormat),
        ("recall at the policy threshold", m => m.AtPolicyThreshold.Recall, RateFormat),
        ("latency p50 (ms)", m => m.LatencyMs.P50, "0.#"),
        ("latency p95 (ms)", m => m.LatencyMs.P95, "0.#"),
        ("latency p99 (ms)", m => m.LatencyMs.P99, "0.#"),
        ("tokens per classification", m => m.Tokens.TotalPerRecord, "0.#"),
        ("prompt tokens cached per classification", m => m.Tokens.CachedPerRecord, "0.#"),
        ("Brier score", m => m.Calibration.Brier, "0.0000"),
        ("expected calibration error", m => m.Calibration.ExpectedCalibrationError, "0.0000"),
    ];

    private static void Summary(StringBuilder html, EvalMetrics m, EvalMetrics? b)
    {
        html.Append("<h2>Summary</h2><table id=\"summary\"><tr><th class=\"l\">measure</th><th>this run</th>");
        if (b is not null)
        {
            html.Append("<th>baseline</th><th>Δ</th>");
        }

        html.Append("</tr>");
        foreach (var (name, value) in s_countRows)
        {
            Row(html, name, value(m), b is null ? null : value(b));
        }

        foreach (var (name, value, format) in s_measureRows)
        {
            Number(html, name, value(m), b is null ? null : value(b), b is not null, format);
        }

        html.Append("</table>\n");
    }

    private static void Confusion(StringBuilder html, EvalMetrics m, EvalMetrics? b)
    {
        html.Append("<h2>Confusion matrix (run 1, verdicts)</h2><div class=\"plots\">");
        ThisRunAndBaseline(html, m.Overall, b?.Overall, Matrix);

        html.Append("</div>\n");
    }

    /// <summary>Writes a part for this run and, when there is a baseline, for it.</summary>
    private static void ThisRunAndBaseline<T>(StringBuilder html, T current, T? baseline, Action<StringBuilder, string, T> write)
        where T : class
    {
        write(html, "this run", current);
        if (baseline is not null)
        {
            write(html, "baseline", baseline);
        }
    }

    private static void Matrix(StringBuilder html, string caption, GroupMetrics g) =>
        html.Append("<table class=\"confusion\"><caption>").Append(E(caption)).Append("</caption>")
            .Append("<tr><th class=\"l\">truth \\ verdict</th><th>violation</th><th>no violation</th></tr>")
            .Append(Invariant($"<tr><th class=\"l\">positive</th><td class=\"pos\">{g.TruePositives}</td><td class=\"neg\">{g.FalseNegatives}</td></tr>"))
            .Append(Invariant($"<tr><th class=\"l\">negative</th><td class=\"neg\">{g.FalsePositives}</td><td class=\"pos\">{g.TrueNegatives}</td></tr>"))
            .Append(Invariant($"<tr><th class=\"l\">errors</th><td colspan=\"2\">{g.Errors}</td></tr></table>"));

    private static void ThresholdTable(StringBuilder html, EvalMetrics m, EvalMetrics? b)
    {
        html.Append("<h2>Thresholds for a target false-positive rate</h2><table id=\"thresholds\"><tr><th>target FPR</th><th>threshold</th><th>recall</th><th>precision</th><th>FPR here</th><th>false positives</th><th>measurable</th>");
        if (b is not null)
        {
            html.Append("<th>baseline threshold</th><th>baseline recall</th>");
        }

        html.Append("<th class=\"l\">note</th></tr>");
        foreach (var t in m.Thresholds)
        {
            var other = b?.Thresholds.FirstOrDefault(x => Math.Abs(x.TargetFpr - t.TargetFpr) < 1e-12);
            html.Append("<tr><td>").Append(E(EvalMetricsCalculator.Percent(t.TargetFpr))).Append("</td><td>").Append(F(t.Threshold, "0.####"))
                .Append("</td><td>").Append(F(t.Recall)).Append("</td><td>").Append(F(t.Precision)).Append("</td><td>")
                .Append(t.FalsePositiveRate is { } r ? E(EvalMetricsCalculator.Percent(r)) : "–").Append("</td><td>")
                .Append(Invariant($"{t.FalsePositives} of {t.Negatives}")).Append("</td><td>").Append(t.Measurable ? "yes" : "<b>no</b>").Append("</td>");
            if (b is not null)
            {
                html.Append("<td>").Append(F(other?.Threshold, "0.####")).Append("</td><td>").Append(F(other?.Recall)).Append("</td>");
            }

            html.Append("<td class=\"l\">").Append(E(t.Note)).Append("</td></tr>");
        }

        html.Append("</table>\n");
    }

    private static void Plots(StringBuilder html, EvalMetrics m, EvalMetrics? b)
    {
        html.Append("<h2>Plots</h2><div class=\"plots\">");
        var series = new List<PlotSeries>
        {
            new("precision", CurrentColor, false, [.. m.ThresholdCurve.Select(p => (p.Threshold, p.Precision))]),
            new("recall", RecallColor, false, [.. m.ThresholdCurve.Select(p => (p.Threshold, p.Recall))]),
        };
        if (b is not null)
        {
            series.Add(new PlotSeries("baseline precision", CurrentColor, true, [.. b.ThresholdCurve.Select(p => (p.Threshold, p.Precision))]));
            series.Add(new PlotSeries("baseline recall", RecallColor, true, [.. b.ThresholdCurve.Select(p => (p.Threshold, p.Recall))]));
        }

        html.Append(SvgPlot.Lines("pr-threshold", "Precision and recall against the threshold", "threshold on P(violation)", "rate", series,
            markX: m.Run.PolicyThreshold, markLabel: Invariant($"policy threshold {m.Run.PolicyThreshold:0.##}")));

        var reliability = new List<PlotSeries> { Reliability("this run", CurrentColor, false, m.Calibration) };
        if (b is not null)
        {
            reliability.Add(Reliability("baseline", BaselineColor, true, b.Calibration));
        }

        html.Append(SvgPlot.Lines("reliability", "Reliability diagram (calibration)", "mean P(violation) in bin", "observed share of positives", reliability, diagonal: true));
        html.Append(SvgPlot.Bars("latency-histogram", "Latency per classification (this run)", "latency (ms)", "classifications", m.LatencyHistogram, CurrentColor));
        if (b is not null)
        {
            html.Append(SvgPlot.Bars("baseline-latency-histogram", "Latency per classification (baseline)", "latency (ms)", "classifications", b.LatencyHistogram, BaselineColor));
        }

        html.Append("</div>\n");
    }

    private static PlotSeries Reliability(string name, string color, bool dashed, CalibrationSummary c)
    {
        var bins = c.Bins.Where(x => x.Count > 0 && x.MeanPredicted is not null).ToList();
        return new PlotSeries(name, color, dashed, [.. bins.Select(x => (x.MeanPredicted!.Value, x.ObservedRate))])
        {
            Labels = [.. bins.Select(x => Invariant($"bin {x.From:0.0}–{x.To:0.0}: {x.Count} verdicts, mean P {x.MeanPredicted:0.###}, observed {x.ObservedRate:0.###}"))],
        };
    }

    private static void Groups(StringBuilder html, string title, string keyName, IReadOnlyDictionary<string, GroupMetrics> groups)
    {
        html.Append("<h2>").Append(E(title)).Append("</h2><table class=\"groups\"><tr><th class=\"l\">").Append(E(keyName))
            .Append("</th><th>records</th><th>errors</th><th>TP</th><th>FP</th><th>TN</th><th>FN</th><th>precision</th><th>recall</th><th>F1</th><th>accuracy</th></tr>");
        foreach (var (key, g) in groups)
        {
            html.Append("<tr><td class=\"l\">").Append(E(key)).Append(Invariant($"</td><td>{g.Records}</td><td>{g.Errors}</td><td>{g.TruePositives}</td><td>{g.FalsePositives}</td><td>{g.TrueNegatives}</td><td>{g.FalseNegatives}</td><td>"))
                .Append(F(g.Precision)).Append("</td><td>").Append(F(g.Recall)).Append("</td><td>").Append(F(g.F1)).Append("</td><td>").Append(F(g.Accuracy)).Append("</td></tr>");
        }

        html.Append("</table>\n");
    }

    private static void PredictedCategories(StringBuilder html, EvalMetrics m)
    {
        html.Append("<h2>Violations by the category the model named</h2><table><tr><th class=\"l\">category</th><th>violations</th><th>true positives</th><th>false positives</th><th>precision</th></tr>");
        foreach (var (key, c) in m.PerPredictedCategory)
        {
            html.Append("<tr><td class=\"l\">").Append(E(key)).Append(Invariant($"</td><td>{c.Predictions}</td><td>{c.TruePositives}</td><td>{c.FalsePositives}</td><td>")).Append(F(c.Precision)).Append("</td></tr>");
        }

        html.Append("</table>\n");
    }

    private static void Agreement(StringBuilder html, EvalMetrics m, EvalMetrics? b)
    {
        html.Append("<h2>Agreement across repeated runs</h2><table id=\"agreement\"><tr><th class=\"l\">run</th><th>runs</th><th>records in every run</th><th>with an error</th><th>identical verdicts</th><th>Fleiss' κ</th><th>mean Cohen's κ</th><th>mean sd of P</th><th class=\"l\">note</th></tr>");
        ThisRunAndBaseline(html, m.Agreement, b?.Agreement, AgreementRow);

        html.Append("</table>");
        if (m.PerRepeat.Count > 1)
        {
            html.Append("<table><tr><th>run</th><th>errors</th><th>precision</th><th>recall</th><th>F1</th></tr>");
            foreach (var r in m.PerRepeat)
            {
                html.Append(Invariant($"<tr><td>{r.Repeat}</td><td>{r.Overall.Errors}</td><td>")).Append(F(r.Overall.Precision)).Append("</td><td>")
                    .Append(F(r.Overall.Recall)).Append("</td><td>").Append(F(r.Overall.F1)).Append("</td></tr>");
            }

            html.Append("</table>");
        }

        html.Append('\n');
    }

    private static void AgreementRow(StringBuilder html, string name, AgreementSummary a) =>
        html.Append("<tr><td class=\"l\">").Append(E(name)).Append(Invariant($"</td><td>{a.Repeats}</td><td>{a.Records}</td><td>{a.RecordsWithError}</td><td>"))
            .Append(F(a.IdenticalFraction)).Append("</td><td>").Append(F(a.FleissKappa)).Append("</td><td>").Append(F(a.MeanCohenKappa)).Append("</td><td>")
            .Append(F(a.MeanProbabilityStdDev, "0.0000")).Append("</td><td class=\"l\">").Append(E(a.Note)).Append("</td></tr>");

    private static void Mistakes(StringBuilder html, IReadOnlyList<EvalPrediction> predictions)
    {
        var headline = predictions.Where(p => p.Repeat == 1).ToList();
        List(html, "False positives (run 1, highest P first)", headline.Where(p => p.IsScored && !p.Record.Truth && p.Verdict == true).OrderByDescending(p => p.Score).ToList());
        List(html, "False negatives (run 1, lowest P first)", headline.Where(p => p.IsScored && p.Record.Truth && p.Verdict != true).OrderBy(p => p.Score).ToList());
        List(html, "Errors (run 1)", headline.Where(p => !p.IsScored).ToList());
    }

    private static void List(StringBuilder html, string title, List<EvalPrediction> rows)
    {
        html.Append("<h2>").Append(E(title)).Append(Invariant($" — {rows.Count}</h2>"));
        if (rows.Count == 0)
        {
            html.Append("<p class=\"muted\">none</p>\n");
            return;
        }

        html.Append("<table><tr><th>line</th><th class=\"l\">id</th><th class=\"l\">title</th><th class=\"l\">label</th><th>P</th><th class=\"l\">category</th><th class=\"l\">rationale or error</th></tr>");
        foreach (var p in rows.Take(ListedRecords))
        {
            html.Append(Invariant($"<tr><td>{p.Record.Line}</td><td class=\"l\">")).Append(E(p.Record.Wiki + " " + p.Record.Id)).Append("</td><td class=\"l\">").Append(E(p.Record.Title ?? "")).Append("</td><td class=\"l\">")
                .Append(E(p.Record.Label)).Append("</td><td>").Append(F(p.Probability)).Append("</td><td class=\"l\">").Append(E(p.Answer?.Category ?? "")).Append("</td><td class=\"l\">")
                .Append(E(p.Error ?? p.Answer?.Rationale ?? "")).Append("</td></tr>");
        }

        html.Append("</table>");
        if (rows.Count > ListedRecords)
        {
            html.Append(Invariant($"<p class=\"muted\">{rows.Count - ListedRecords} more in predictions.jsonl.</p>"));
        }

        html.Append('\n');
    }

    private static void Problems(StringBuilder html, EvalDatasetSummary d)
    {
        html.Append("<h2>Dataset</h2><p>").Append(E(Invariant(
            $"{d.LinesRead} line(s) read, {d.Records} record(s) evaluated ({d.Positives} positive, {d.Negatives} negative), {d.Excluded} excluded{(d.Limited ? ", stopped at --limit" : "")}; {d.OutsidePolicyScope} record(s) lie outside the policy's applies_to (the live router would not send them to it; they are evaluated anyway).")))
            .Append("</p>");
        if (d.Problems.Count > 0)
        {
            html.Append("<table id=\"problems\"><tr><th>line</th><th class=\"l\">excluded because</th></tr>");
            foreach (var p in d.Problems.Take(200))
            {
                html.Append(Invariant($"<tr><td>{p.Line}</td><td class=\"l\">")).Append(E(p.Message)).Append("</td></tr>");
            }

            html.Append("</table>");
        }

        html.Append('\n');
    }

    private static void Row(StringBuilder html, string name, object current, object? baseline)
    {
        html.Append("<tr><td class=\"l\">").Append(E(name)).Append("</td><td>").Append(E(Convert.ToString(current, CultureInfo.InvariantCulture) ?? "")).Append("</td>");
        if (baseline is not null)
        {
            html.Append("<td>").Append(E(Convert.ToString(baseline, CultureInfo.InvariantCulture) ?? "")).Append("</td><td></td>");
        }

        html.Append("</tr>");
    }

    private static void Number(StringBuilder html, string name, double? current, double? baseline, bool compare, string format = "0.#")
    {
        html.Append("<tr><td class=\"l\">").Append(E(name)).Append("</td><td>").Append(F(current, format)).Append("</td>");
        if (compare)
        {
            var delta = current is { } c && baseline is { } b ? (c - b).ToString("+" + format + ";-" + format + ";0", CultureInfo.InvariantCulture) : "–";
            html.Append("<td>").Append(F(baseline, format)).Append("</td><td>").Append(delta).Append("</td>");
        }

        html.Append("</tr>");
    }

    private static string F(double? value, string format = "0.000") => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "–";

    private static string E(string text) => SvgPlot.Encode(text);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
