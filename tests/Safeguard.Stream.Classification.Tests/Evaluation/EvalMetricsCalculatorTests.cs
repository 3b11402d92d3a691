using Safeguard.Stream.Classification.Evaluation;
using static Safeguard.Stream.Classification.Tests.Evaluation.EvalFixtures;

namespace Safeguard.Stream.Classification.Tests.Evaluation;

public sealed class EvalMetricsCalculatorTests
{
    private const int Precision = 10;

    [Fact]
    public void Group_MixedCase_MatchesHandComputedRates()
    {
        // TP 3, FP 1, TN 4, FN 2, one error.
        List<EvalPrediction> predictions =
        [
            Scored(true, true), Scored(true, true), Scored(true, true),
            Scored(false, true),
            Scored(false, false), Scored(false, false), Scored(false, false), Scored(false, false),
            Scored(true, false), Scored(true, false),
            Error(true),
        ];

        var g = EvalMetricsCalculator.Group(predictions, p => p.Verdict == true);

        Assert.Equal((11, 1, 3, 1, 4, 2), (g.Records, g.Errors, g.TruePositives, g.FalsePositives, g.TrueNegatives, g.FalseNegatives));
        Assert.Equal(10, g.Scored);
        Assert.Equal(0.75, g.Precision!.Value, Precision);        // 3 / 4
        Assert.Equal(0.6, g.Recall!.Value, Precision);            // 3 / 5
        Assert.Equal(6.0 / 9.0, g.F1!.Value, Precision);          // 2·3 / (2·3 + 1 + 2)
        Assert.Equal(0.7, g.Accuracy!.Value, Precision);          // 7 / 10
        Assert.Equal(0.2, g.FalsePositiveRate!.Value, Precision); // 1 / 5
        Assert.Equal([[3, 2], [1, 4]], g.ConfusionMatrix.Select(r => r.ToArray()).ToArray());
    }

    [Fact]
    public void Group_NoPositivesAndNothingFlagged_LeavesPrecisionRecallAndF1Undefined()
    {
        var g = EvalMetricsCalculator.Group([Scored(false, false), Scored(false, false)], p => p.Verdict == true);

        Assert.Null(g.Precision);
        Assert.Null(g.Recall);
        Assert.Null(g.F1);
        Assert.Equal(1.0, g.Accuracy);
        Assert.Equal(0.0, g.FalsePositiveRate);
    }

    [Fact]
    public void Group_PositivesButNothingFlagged_RecallAndF1AreZeroPrecisionUndefined()
    {
        var g = EvalMetricsCalculator.Group([Scored(true, false), Scored(false, false)], p => p.Verdict == true);

        Assert.Null(g.Precision);
        Assert.Equal(0.0, g.Recall);
        Assert.Equal(0.0, g.F1);
        Assert.Equal(0.5, g.Accuracy);
    }

    [Fact]
    public void Group_NoNegatives_FalsePositiveRateUndefined()
    {
        var g = EvalMetricsCalculator.Group([Scored(true, true), Scored(true, false)], p => p.Verdict == true);

        Assert.Null(g.FalsePositiveRate);
        Assert.Equal(1.0, g.Precision);
        Assert.Equal(0.5, g.Recall);
    }

    [Fact]
    public void Compute_AllErrors_CountsErrorsAndLeavesEveryRateUndefined()
    {
        List<EvalPrediction> predictions = [Error(true), Error(false, "length"), Error(false, "unavailable")];

        var m = EvalMetricsCalculator.Compute(Run(), Dataset(3), predictions);

        Assert.Equal(3, m.Overall.Errors);
        Assert.Equal(0, m.Overall.Scored);
        Assert.Null(m.Overall.Precision);
        Assert.Null(m.Overall.Recall);
        Assert.Null(m.Overall.F1);
        Assert.Null(m.Overall.Accuracy);
        Assert.Null(m.Calibration.Brier);
        Assert.All(m.Thresholds, t =>
        {
            Assert.False(t.Measurable);
            Assert.Null(t.Threshold);
        });
        Assert.Equal(3, m.LatencyMs.Count);
        Assert.Equal(30, m.LatencyMs.P50);
        Assert.Equal(3, m.PerLanguage["en"].Errors);
        Assert.False(m.Run.Simulated);
    }

    [Fact]
    public void Compute_EmptyRun_HasNoNumbersAndNoFailure()
    {
        var m = EvalMetricsCalculator.Compute(Run(), Dataset(0), []);

        Assert.Equal(0, m.Overall.Records);
        Assert.Null(m.LatencyMs.P50);
        Assert.Empty(m.LatencyHistogram);
        Assert.Null(m.Tokens.TotalPerRecord);
        Assert.Empty(m.PerRepeat);
    }

    [Fact]
    public void Compute_PerLanguageAndCategory_GroupsRun1AndNamesTheCategoryBasis()
    {
        List<EvalPrediction> predictions =
        [
            Scored(true, true, 0.9, "en", recordCategory: "obscene"),
            Scored(false, true, 0.7, "de"),
            Scored(false, false, 0.1, "de"),
            Scored(true, true, 0.9, "en", repeat: 2, line: 999),
        ];

        var m = EvalMetricsCalculator.Compute(Run(2), Dataset(3), predictions);

        Assert.Equal(3, m.Overall.Records);
        Assert.Equal(1, m.PerLanguage["en"].TruePositives);
        Assert.Equal(1, m.PerLanguage["de"].FalsePositives);
        Assert.Equal(1, m.PerCategory["obscene"].TruePositives);
        Assert.Equal(1, m.PerCategory["VAND1"].FalsePositives);   // no record category: the predicted one
        Assert.Equal(1, m.PerCategory["(none)"].TrueNegatives);
        Assert.Contains("1 record(s)", m.CategoryBasis, StringComparison.Ordinal);
        Assert.Equal(2, m.PerPredictedCategory["VAND1"].Predictions);
        Assert.Equal(0.5, m.PerPredictedCategory["VAND1"].Precision);
        Assert.Equal(2, m.PerRepeat.Count);
        Assert.Equal(4, m.Tokens.Classifications);
        Assert.Equal(120, m.Tokens.TotalPerRecord);
        Assert.True(m.Run.Simulated);
    }

    [Theory]
    [InlineData(50, 5)]
    [InlineData(95, 10)]
    [InlineData(99, 10)]
    [InlineData(10, 1)]
    [InlineData(0, 1)]
    public void Percentile_OneToTen_NearestRank(double p, double expected)
    {
        Assert.Equal(expected, EvalMetricsCalculator.Percentile([.. Enumerable.Range(1, 10).Select(i => (double)(11 - i))], p));
    }

    [Fact]
    public void Percentile_FiveValues_NearestRank()
    {
        double[] values = [15, 20, 35, 40, 50];

        Assert.Equal(35, EvalMetricsCalculator.Percentile(values, 50));   // rank ⌈2.5⌉ = 3
        Assert.Equal(50, EvalMetricsCalculator.Percentile(values, 95));   // rank ⌈4.75⌉ = 5
        Assert.Null(EvalMetricsCalculator.Percentile([], 50));
    }

    [Fact]
    public void Thresholds_SmallSet_LowestThresholdWithinTheTarget()
    {
        // Negatives: two flagged (0.6, 0.9), two not. Positives: flagged at 0.7, 0.8, 0.95, one missed.
        List<EvalPrediction> predictions =
        [
            Scored(false, true, 0.6), Scored(false, true, 0.9), Scored(false, false, 0.1), Scored(false, false, 0.2),
            Scored(true, true, 0.7), Scored(true, true, 0.8), Scored(true, true, 0.95), Scored(true, false, 0.3),
        ];

        var targets = EvalMetricsCalculator.Thresholds(predictions, [0.25, 0.1]);

        // 25 % of 4 negatives allows one false positive: 0.6 gives two, 0.7 gives one.
        Assert.True(targets[0].Measurable);
        Assert.Equal(0.7, targets[0].Threshold);
        Assert.Equal(0.75, targets[0].Recall);
        Assert.Equal(1, targets[0].FalsePositives);
        Assert.Equal(0.25, targets[0].FalsePositiveRate);
        Assert.Equal(0.75, targets[0].Precision);  // 3 of 4 flagged

        // 10 % of 4 negatives is below one false positive: only zero meets it, and that cannot show the rate.
        Assert.False(targets[1].Measurable);
        Assert.Equal(0.95, targets[1].Threshold);
        Assert.Equal(0.25, targets[1].Recall);
        Assert.Equal(10, targets[1].NegativesForOneFalsePositive);
        Assert.Equal(30, targets[1].NegativesForRuleOfThree);
        Assert.Contains("too few negatives", targets[1].Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Thresholds_287Negatives_OnlyOnePercentAndHalfAPercentAreMeasurable()
    {
        var predictions = Enumerable.Range(0, 287).Select(_ => Scored(false, false, 0.05)).Append(Scored(true, true, 0.9)).ToList();

        var targets = EvalMetricsCalculator.Thresholds(predictions);

        Assert.Equal([0.01, 0.005, 0.0025, 0.001], targets.Select(t => t.TargetFpr));
        Assert.Equal([true, true, false, false], targets.Select(t => t.Measurable));
        Assert.Contains("one false positive is 0.348 %", targets[3].Note, StringComparison.Ordinal);
        Assert.Equal(1000, targets[3].NegativesForOneFalsePositive);
        Assert.All(targets, t => Assert.Equal(1.0, t.Recall));
    }

    [Fact]
    public void Thresholds_NegativeHoldsTheTopScore_NoThresholdReachesTheTarget()
    {
        List<EvalPrediction> predictions = [Scored(false, true, 1.0), Scored(true, true, 1.0), Scored(false, false, 0.0)];

        var target = Assert.Single(EvalMetricsCalculator.Thresholds(predictions, [0.01]));

        Assert.Null(target.Threshold);
        Assert.Equal(0.0, target.Recall);
        Assert.Contains("no threshold", target.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Thresholds_ModelFlagsNothing_SaysSo()
    {
        var target = Assert.Single(EvalMetricsCalculator.Thresholds([Scored(true, false, 0.2), Scored(false, false, 0.1)], [0.5]));

        Assert.Null(target.Threshold);
        Assert.Contains("flagged nothing", target.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void ThresholdCurve_UsesTheLiveRule_ViolationAndScoreAtOrAboveThreshold()
    {
        // A "no violation" verdict is never flagged, whatever its probability.
        List<EvalPrediction> predictions = [Scored(true, true, 0.8), Scored(false, true, 0.6), Scored(true, false, 0.45)];

        var curve = EvalMetricsCalculator.ThresholdCurve(predictions);

        Assert.Equal(101, curve.Count);
        Assert.Equal(2, curve[0].Flagged);
        Assert.Equal(0.5, curve[0].Precision);
        Assert.Equal(0.5, curve[0].Recall);
        Assert.Equal(1, curve[70].Flagged);
        Assert.Equal(1.0, curve[70].Precision);
        Assert.Equal(0, curve[81].Flagged);
        Assert.Null(curve[81].Precision);
        Assert.Equal(0.0, curve[81].Recall);
    }

    [Fact]
    public void Calibration_FourVerdicts_MatchesHandComputedBinsBrierAndEce()
    {
        List<EvalPrediction> predictions =
        [
            Scored(false, false, 0.05), Scored(false, false, 0.15), Scored(true, true, 0.95), Scored(false, true, 0.92), Scored(true, true, null),
        ];

        var c = EvalMetricsCalculator.Calibration(predictions);

        Assert.Equal(4, c.Count);
        Assert.Equal(1, c.WithoutProbability);
        Assert.Equal(10, c.Bins.Count);
        Assert.Equal(2, c.Bins[9].Count);
        Assert.Equal(0.935, c.Bins[9].MeanPredicted!.Value, Precision);
        Assert.Equal(0.5, c.Bins[9].ObservedRate);
        Assert.Null(c.Bins[5].ObservedRate);
        Assert.Equal((0.0025 + 0.0225 + 0.0025 + 0.8464) / 4, c.Brier!.Value, Precision);
        Assert.Equal((0.05 + 0.15 + (2 * 0.435)) / 4, c.ExpectedCalibrationError!.Value, Precision);
    }

    [Fact]
    public void FleissKappa_FourSubjectsThreeRaters_MatchesHandComputation()
    {
        // P̄ = (1 + 1 + 1/3 + 1) / 4 = 10/12; p(yes) = 5/12; Pe = (25 + 49) / 144; κ = (120 − 74) / (144 − 74) = 46/70.
        bool[][] ratings = [[true, true, true], [false, false, false], [true, true, false], [false, false, false]];

        Assert.Equal(46.0 / 70.0, EvalMetricsCalculator.FleissKappa(ratings)!.Value, Precision);
    }

    [Fact]
    public void CohenKappa_TwoRaters_MatchesHandComputation()
    {
        // po = 3/4, pe = 0.5·0.25 + 0.5·0.75 = 0.5, κ = 0.5.
        Assert.Equal(0.5, EvalMetricsCalculator.CohenKappa([true, true, false, false], [true, false, false, false])!.Value, Precision);
    }

    [Fact]
    public void Kappa_EveryVerdictTheSame_IsUndefined()
    {
        Assert.Null(EvalMetricsCalculator.CohenKappa([false, false], [false, false]));
        Assert.Null(EvalMetricsCalculator.FleissKappa([[true, true], [true, true]]));
    }

    [Fact]
    public void Agreement_ThreeRuns_IdenticalShareKappaAndErrorsLeftOut()
    {
        // Records 1–4 as in the Fleiss case; record 5 has an error in run 2.
        bool[][] verdicts = [[true, true, true], [false, false, false], [true, true, false], [false, false, false]];
        var predictions = new List<EvalPrediction>();
        for (var record = 0; record < verdicts.Length; record++)
        {
            for (var run = 0; run < 3; run++)
            {
                predictions.Add(Scored(record % 2 == 0, verdicts[record][run], verdicts[record][run] ? 0.9 : 0.1, repeat: run + 1, line: 100 + record));
            }
        }

        predictions.Add(Scored(true, true, 0.9, repeat: 1, line: 200));
        predictions.Add(Error(true, repeat: 2, line: 200));
        predictions.Add(Scored(true, true, 0.9, repeat: 3, line: 200));

        var a = EvalMetricsCalculator.Agreement(predictions, 3);

        Assert.Equal(4, a.Records);
        Assert.Equal(1, a.RecordsWithError);
        Assert.Equal(0.75, a.IdenticalFraction);
        Assert.Equal(46.0 / 70.0, a.FleissKappa!.Value, Precision);
        Assert.NotNull(a.MeanCohenKappa);
        Assert.True(a.MeanProbabilityStdDev > 0);
    }

    [Fact]
    public void Agreement_OneRun_SaysRepeatIsNeeded()
    {
        var a = EvalMetricsCalculator.Agreement([Scored(true, true)], 1);

        Assert.Null(a.IdenticalFraction);
        Assert.Contains("--repeat", a.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Histogram_WidthIsANiceStepAndEveryValueIsBinned()
    {
        var values = Enumerable.Range(0, 251).Select(i => (double)i).ToList();

        var bins = EvalMetricsCalculator.Histogram(values, 20);

        Assert.Equal(20, bins[0].To - bins[0].From);   // 250 / 20 = 12.5 → 20
        Assert.Equal(13, bins.Count);
        Assert.Equal(251, bins.Sum(b => b.Count));
        Assert.Equal(20, bins[0].Count);
    }
}
