namespace Safeguard.Stream.Classification.Evaluation;

/// <summary>
/// The arithmetic of an evaluation, pure. Headline numbers (overall, per language, per category, thresholds,
/// calibration) come from run 1; latency and tokens cover every run; <c>per_repeat</c> and agreement compare the runs.
/// A prediction counts as positive when the verdict is a violation; <see cref="GroupMetrics"/> at the policy threshold
/// uses the live decision instead (violation and probability ≥ threshold).
/// </summary>
public static class EvalMetricsCalculator
{
    /// <summary>The false-positive rates a threshold is chosen for (ClueBot NG runs at about 0.1–0.25 %).</summary>
    public static IReadOnlyList<double> TargetFalsePositiveRates { get; } = [0.01, 0.005, 0.0025, 0.001];

    public const string SimulatedMarker = "[simulated]";

    public static EvalMetrics Compute(EvalRunInfo run, EvalDatasetSummary dataset, IReadOnlyList<EvalPrediction> predictions)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(predictions);

        var headline = predictions.Where(p => p.Repeat == 1).OrderBy(p => p.Record.Line).ToList();
        var withRecordCategory = headline.Count(p => p.Record.Category is not null);
        var categoryBasis = string.Create(CultureInfo.InvariantCulture,
            $"the record's own category (its category field, else label_detail) for {withRecordCategory} record(s); the category the model predicted for {headline.Count - withRecordCategory} record(s) without one");

        var repeats = predictions.Count == 0 ? 0 : predictions.Max(p => p.Repeat);
        return new EvalMetrics(
            run with { Simulated = predictions.Any(p => p.Answer?.Rationale?.StartsWith(SimulatedMarker, StringComparison.Ordinal) == true) },
            dataset,
            Group(headline, p => p.Verdict == true),
            Group(headline, p => p.Flagged),
            GroupBy(headline, p => p.Record.Lang),
            categoryBasis,
            GroupBy(headline, p => p.Record.Category ?? p.Answer?.Category ?? "(none)"),
            headline.Where(p => p.IsScored && p.Verdict == true)
                .GroupBy(p => p.Answer?.Category ?? "(none)", StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => new PredictedCategoryMetrics(g.Count(), g.Count(p => p.Record.Truth), g.Count(p => !p.Record.Truth)), StringComparer.Ordinal),
            Distribution(predictions.Select(p => (double)p.LatencyMs).ToList()),
            Histogram(predictions.Select(p => (double)p.LatencyMs).ToList(), 20),
            Tokens(predictions),
            Calibration(headline),
            Thresholds(headline),
            ThresholdCurve(headline),
            Agreement(predictions, repeats),
            [.. Enumerable.Range(1, repeats).Select(r => new RepeatSummary(r, Group(predictions.Where(p => p.Repeat == r).ToList(), p => p.Verdict == true)))])
        {
            PreScreen = PreScreen(headline),
        };
    }

    /// <summary>What the pre-screen skipped in the first run, and how many of those were labeled positive (must be none).</summary>
    public static PreScreenSummary PreScreen(IReadOnlyCollection<EvalPrediction> headline)
    {
        ArgumentNullException.ThrowIfNull(headline);
        var skipped = headline.Where(p => p.IsSkipped).ToList();
        return new PreScreenSummary(
            headline.Count,
            skipped.Count,
            skipped.Count(p => p.Record.Truth),
            skipped.GroupBy(p => p.SkipReason!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal));
    }

    /// <summary>Counts for <paramref name="predictions"/>, positive prediction by <paramref name="predictedPositive"/>.</summary>
    public static GroupMetrics Group(IReadOnlyCollection<EvalPrediction> predictions, Func<EvalPrediction, bool> predictedPositive)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(predictedPositive);
        int tp = 0, fp = 0, tn = 0, fn = 0, errors = 0;
        foreach (var p in predictions)
        {
            if (!p.IsScored && !p.IsSkipped)
            {
                errors++;
                continue;
            }

            // A pre-screen skip is a decision, not an error: the live pipeline sends nothing and flags nothing.
            var positive = !p.IsSkipped && predictedPositive(p);
            if (p.Record.Truth)
            {
                _ = positive ? tp++ : fn++;
            }
            else
            {
                _ = positive ? fp++ : tn++;
            }
        }

        return new GroupMetrics(predictions.Count, errors, tp, fp, tn, fn);
    }

    /// <summary>Nearest-rank percentile of <paramref name="values"/> (p in 0–100); null for no values.</summary>
    public static double? Percentile(IReadOnlyList<double> values, double p)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    public static DistributionSummary Distribution(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return values.Count == 0
            ? new DistributionSummary(0, null, null, null, null, null)
            : new DistributionSummary(values.Count, values.Average(), Percentile(values, 50), Percentile(values, 95), Percentile(values, 99), values.Max());
    }

    /// <summary>Equal-width bins from 0, the width a 1-2-5 step so that at most <paramref name="maxBins"/> bins hold every value.</summary>
    public static IReadOnlyList<HistogramBin> Histogram(IReadOnlyList<double> values, int maxBins)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return [];
        }

        var max = Math.Max(values.Max(), 1);
        var width = NiceStep(max / maxBins);
        var count = Math.Max(1, (int)Math.Floor(max / width) + 1);
        var bins = new int[count];
        foreach (var v in values)
        {
            bins[Math.Clamp((int)Math.Floor(Math.Max(v, 0) / width), 0, count - 1)]++;
        }

        return [.. bins.Select((c, i) => new HistogramBin(i * width, (i + 1) * width, c))];
    }

    private static double NiceStep(double raw)
    {
        if (raw <= 1)
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        foreach (var step in (ReadOnlySpan<double>)[1, 2, 5, 10])
        {
            if (step * magnitude >= raw)
            {
                return step * magnitude;
            }
        }

        return 10 * magnitude;
    }

    public static TokenSummary Tokens(IReadOnlyList<EvalPrediction> predictions)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        long prompt = predictions.Sum(p => (long)(p.Answer?.PromptTokens ?? 0));
        long completion = predictions.Sum(p => (long)(p.Answer?.CompletionTokens ?? 0));
        long cached = predictions.Sum(p => (long)(p.Answer?.CachedTokens ?? 0));
        var n = predictions.Count;
        return new TokenSummary(n, prompt, completion, cached,
            n == 0 ? null : (double)prompt / n,
            n == 0 ? null : (double)completion / n,
            n == 0 ? null : (double)cached / n,
            n == 0 ? null : (double)(prompt + completion) / n);
    }

    /// <summary>Ten equal bins of P(violation) against the observed share of positives.</summary>
    public static CalibrationSummary Calibration(IReadOnlyList<EvalPrediction> predictions)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        var scored = predictions.Where(p => p.IsScored).ToList();
        var withProbability = scored.Where(p => p.Probability is not null).ToList();
        const int binCount = 10;
        var bins = new List<CalibrationBin>(binCount);
        double ece = 0;
        for (var i = 0; i < binCount; i++)
        {
            var from = i / (double)binCount;
            var to = (i + 1) / (double)binCount;
            var inBin = withProbability.Where(p => Math.Min((int)(p.Probability!.Value * binCount), binCount - 1) == i).ToList();
            if (inBin.Count == 0)
            {
                bins.Add(new CalibrationBin(from, to, 0, null, null));
                continue;
            }

            var predicted = inBin.Average(p => p.Probability!.Value);
            var observed = inBin.Count(p => p.Record.Truth) / (double)inBin.Count;
            ece += inBin.Count * Math.Abs(observed - predicted);
            bins.Add(new CalibrationBin(from, to, inBin.Count, predicted, observed));
        }

        var n = withProbability.Count;
        return new CalibrationSummary(
            n,
            scored.Count - n,
            n == 0 ? null : withProbability.Average(p => Math.Pow(p.Probability!.Value - (p.Record.Truth ? 1 : 0), 2)),
            n == 0 ? null : ece / n,
            bins);
    }

    /// <summary>For each target rate, the lowest threshold that keeps the false-positive rate at or below it.</summary>
    public static IReadOnlyList<ThresholdTarget> Thresholds(IReadOnlyList<EvalPrediction> predictions, IReadOnlyList<double>? targets = null)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        var scored = predictions.Where(p => p.IsScored).ToList();
        var negatives = scored.Count(p => !p.Record.Truth);
        var candidates = scored.Where(p => p.Verdict == true).Select(p => p.Score!.Value).Distinct().Order().ToList();
        var result = new List<ThresholdTarget>();
        foreach (var target in targets ?? TargetFalsePositiveRates)
        {
            var forOne = (int)Math.Ceiling((1 / target) - 1e-9);
            var forThree = (int)Math.Ceiling((3 / target) - 1e-9);
            var measurable = negatives > 0 && negatives * target >= 1 - 1e-9;
            var targetText = Percent(target);
            if (negatives == 0)
            {
                result.Add(new ThresholdTarget(target, false, null, null, null, null, 0, 0, 0, forOne, forThree,
                    "no negatives were scored: a false-positive rate cannot be measured"));
                continue;
            }

            double? chosen = null;
            foreach (var candidate in candidates)
            {
                if (scored.Count(p => !p.Record.Truth && p.FlaggedAt(candidate)) <= target * negatives + 1e-9)
                {
                    chosen = candidate;
                    break;
                }
            }

            var tooFew = measurable ? "" : string.Create(CultureInfo.InvariantCulture,
                $"too few negatives to measure {targetText}: with {negatives} negatives one false positive is {Percent(1.0 / negatives)}, so only zero false positives meets the target, and zero on this set does not show the rate is below {targetText} (resolving it needs {forOne} negatives; {forThree} with none flagged for 95 % confidence). ");
            if (chosen is not { } threshold)
            {
                var why = candidates.Count == 0
                    ? "the model flagged nothing, so no threshold is needed (recall 0)"
                    : "no threshold up to 1 reaches it: negatives hold the highest scores";
                result.Add(new ThresholdTarget(target, measurable, null, scored.Any(p => p.Record.Truth) ? 0 : null, null, 0, 0, 0, negatives, forOne, forThree, tooFew + why));
                continue;
            }

            var group = Group(scored, p => p.FlaggedAt(threshold));
            result.Add(new ThresholdTarget(target, measurable, threshold, group.Recall, group.Precision, group.FalsePositiveRate,
                group.FalsePositives, group.TruePositives + group.FalsePositives, negatives, forOne, forThree,
                tooFew + string.Create(CultureInfo.InvariantCulture, $"flag when violation and P(violation) ≥ {threshold:0.####}")));
        }

        return result;
    }

    /// <summary>Precision, recall and false-positive rate at thresholds 0.00, 0.01, …, 1.00.</summary>
    public static IReadOnlyList<ThresholdPoint> ThresholdCurve(IReadOnlyList<EvalPrediction> predictions)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        var scored = predictions.Where(p => p.IsScored).ToList();
        var points = new List<ThresholdPoint>(101);
        for (var i = 0; i <= 100; i++)
        {
            var t = i / 100.0;
            var g = Group(scored, p => p.FlaggedAt(t));
            points.Add(new ThresholdPoint(t, g.TruePositives + g.FalsePositives, g.Precision, g.Recall, g.FalsePositiveRate));
        }

        return points;
    }

    public static AgreementSummary Agreement(IReadOnlyList<EvalPrediction> predictions, int repeats)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        if (repeats < 2)
        {
            return new AgreementSummary(repeats, 0, 0, null, null, null, null, "one run: agreement needs --repeat 2 or more");
        }

        var byRecord = predictions.GroupBy(p => p.Record.Line).ToList();
        var complete = byRecord.Where(g => g.Count() == repeats && g.All(p => p.IsScored)).Select(g => g.OrderBy(p => p.Repeat).ToList()).ToList();
        var withError = byRecord.Count - complete.Count;
        if (complete.Count == 0)
        {
            return new AgreementSummary(repeats, 0, withError, null, null, null, null, "no record was scored in every run");
        }

        var verdicts = complete.Select(runs => runs.Select(p => p.Verdict == true).ToArray()).ToList();
        var identical = verdicts.Count(v => v.All(x => x == v[0])) / (double)verdicts.Count;
        var fleiss = FleissKappa(verdicts);
        var pairs = new List<double>();
        for (var a = 0; a < repeats; a++)
        {
            for (var b = a + 1; b < repeats; b++)
            {
                if (CohenKappa(verdicts.Select(v => v[a]).ToList(), verdicts.Select(v => v[b]).ToList()) is { } k)
                {
                    pairs.Add(k);
                }
            }
        }

        var spreads = complete.Where(runs => runs.All(p => p.Probability is not null)).Select(runs => StdDev(runs.Select(p => p.Probability!.Value).ToList())).ToList();
        var note = fleiss is null ? "every verdict was the same: kappa is undefined (chance agreement is 1)" : "";
        return new AgreementSummary(repeats, complete.Count, withError, identical, fleiss, pairs.Count == 0 ? null : pairs.Average(),
            spreads.Count == 0 ? null : spreads.Average(), note);
    }

    /// <summary>Fleiss' kappa for binary ratings: one array per subject, one rating per rater. Null when chance agreement is 1.</summary>
    public static double? FleissKappa(IReadOnlyList<bool[]> ratings)
    {
        ArgumentNullException.ThrowIfNull(ratings);
        if (ratings.Count == 0 || ratings[0].Length < 2)
        {
            return null;
        }

        var n = ratings[0].Length;
        double totalYes = 0, sumAgreement = 0;
        foreach (var subject in ratings)
        {
            var yes = subject.Count(r => r);
            var no = subject.Length - yes;
            totalYes += yes;
            sumAgreement += ((yes * (yes - 1)) + (no * (no - 1))) / (double)(n * (n - 1));
        }

        var pYes = totalYes / (ratings.Count * n);
        var expected = (pYes * pYes) + ((1 - pYes) * (1 - pYes));
        var observed = sumAgreement / ratings.Count;
        return expected >= 1 - 1e-12 ? null : (observed - expected) / (1 - expected);
    }

    /// <summary>Cohen's kappa between two raters of the same subjects. Null when chance agreement is 1.</summary>
    public static double? CohenKappa(IReadOnlyList<bool> a, IReadOnlyList<bool> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count == 0 || a.Count != b.Count)
        {
            return null;
        }

        double n = a.Count;
        var observed = a.Zip(b).Count(x => x.First == x.Second) / n;
        var aYes = a.Count(x => x) / n;
        var bYes = b.Count(x => x) / n;
        var expected = (aYes * bYes) + ((1 - aYes) * (1 - bYes));
        return expected >= 1 - 1e-12 ? null : (observed - expected) / (1 - expected);
    }

    public static EvalComparison Compare(EvalMetrics current, EvalMetrics baseline, string baselineDirectory)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(baseline);
        return new EvalComparison(
            baselineDirectory,
            baseline.Run.PolicyId,
            baseline.Run.PolicyVersion,
            baseline.Run.Model,
            Delta(current.Overall.Precision, baseline.Overall.Precision),
            Delta(current.Overall.Recall, baseline.Overall.Recall),
            Delta(current.Overall.F1, baseline.Overall.F1),
            Delta(current.Overall.Accuracy, baseline.Overall.Accuracy),
            current.Overall.Errors - baseline.Overall.Errors,
            Delta(current.LatencyMs.P50, baseline.LatencyMs.P50));
    }

    internal static string Percent(double rate) =>
        (rate * 100).ToString(rate * 100 >= 1 ? "0.##" : "0.###", CultureInfo.InvariantCulture) + " %";

    private static double? Delta(double? a, double? b) => a is { } x && b is { } y ? x - y : null;

    private static double StdDev(List<double> values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
    }

    private static Dictionary<string, GroupMetrics> GroupBy(IReadOnlyList<EvalPrediction> predictions, Func<EvalPrediction, string> key) =>
        predictions.GroupBy(key, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => Group(g.ToList(), p => p.Verdict == true), StringComparer.Ordinal);
}
