namespace Safeguard.Stream.Classification.Evaluation;

/// <summary>
/// Everything <c>metrics.json</c> holds. Undefined rates (a division by zero: no positives, nothing flagged, no scored
/// record) are null, never 0 or NaN. Counts of the confusion matrix cover scored classifications only; errors are
/// counted beside them and left out of every rate.
/// </summary>
public sealed record EvalMetrics(
    EvalRunInfo Run,
    EvalDatasetSummary Dataset,
    GroupMetrics Overall,
    GroupMetrics AtPolicyThreshold,
    IReadOnlyDictionary<string, GroupMetrics> PerLanguage,
    string CategoryBasis,
    IReadOnlyDictionary<string, GroupMetrics> PerCategory,
    IReadOnlyDictionary<string, PredictedCategoryMetrics> PerPredictedCategory,
    DistributionSummary LatencyMs,
    IReadOnlyList<HistogramBin> LatencyHistogram,
    TokenSummary Tokens,
    CalibrationSummary Calibration,
    IReadOnlyList<ThresholdTarget> Thresholds,
    IReadOnlyList<ThresholdPoint> ThresholdCurve,
    AgreementSummary Agreement,
    IReadOnlyList<RepeatSummary> PerRepeat)
{
    /// <summary>Set when the run was compared with an earlier one (<c>--baseline DIR</c>).</summary>
    public EvalComparison? Baseline { get; init; }

    /// <summary>What the pre-screen skipped (first run); null in runs written before the pre-screen existed.</summary>
    public PreScreenSummary? PreScreen { get; init; }
}

/// <summary>
/// The pre-screen's effect on one run: of <see cref="Records"/>, <see cref="Skipped"/> were not sent to the model
/// (<see cref="ByReason"/>); <see cref="PositivesSkipped"/> of those were labeled positive, which must stay 0.
/// </summary>
public sealed record PreScreenSummary(int Records, int Skipped, int PositivesSkipped, IReadOnlyDictionary<string, int> ByReason)
{
    /// <summary>Requests saved: skipped / records; null for no records.</summary>
    public double? RequestsSavedRatio => Records == 0 ? null : (double)Skipped / Records;
}

public sealed record EvalRunInfo(
    string PolicyId,
    int PolicyVersion,
    string PolicyMode,
    double PolicyThreshold,
    string Model,
    string Dataset,
    IReadOnlyList<string> PositiveLabels,
    IReadOnlyList<string> NegativeLabels,
    int Repeats,
    int Concurrency,
    DateTimeOffset StartedAt,
    double DurationSeconds)
{
    /// <summary>True when the verdicts came from the vLLM simulator (its rationales start with "[simulated]").</summary>
    public bool Simulated { get; init; }

    /// <summary>The chat role the policy was sent in (<c>developer</c> or <c>system</c>, <c>Safeguard:Llm:PolicyRole</c>); null in runs written before it was recorded.</summary>
    public string? PolicyRole { get; init; }
}

public sealed record EvalDatasetSummary(
    int LinesRead,
    int Records,
    int Excluded,
    int Positives,
    int Negatives,
    bool Limited,
    int OutsidePolicyScope,
    IReadOnlyList<EvalDatasetProblem> Problems);

/// <summary>Counts and rates for a set of records. Rows of the confusion matrix are the truth, columns the prediction.</summary>
public sealed record GroupMetrics(int Records, int Errors, int TruePositives, int FalsePositives, int TrueNegatives, int FalseNegatives)
{
    public static GroupMetrics Empty { get; } = new(0, 0, 0, 0, 0, 0);

    public int Scored => TruePositives + FalsePositives + TrueNegatives + FalseNegatives;
    public int Positives => TruePositives + FalseNegatives;
    public int Negatives => FalsePositives + TrueNegatives;

    /// <summary>TP / (TP + FP); null when nothing was predicted positive.</summary>
    public double? Precision => Ratio(TruePositives, TruePositives + FalsePositives);

    /// <summary>TP / (TP + FN); null when there are no positives.</summary>
    public double? Recall => Ratio(TruePositives, Positives);

    /// <summary>2TP / (2TP + FP + FN); null when there are no positives and nothing was predicted positive.</summary>
    public double? F1 => Ratio(2 * TruePositives, (2 * TruePositives) + FalsePositives + FalseNegatives);
    public double? Accuracy => Ratio(TruePositives + TrueNegatives, Scored);

    /// <summary>FP / (FP + TN); null when there are no negatives.</summary>
    public double? FalsePositiveRate => Ratio(FalsePositives, Negatives);

    /// <summary>[[TP, FN], [FP, TN]]: rows truth (positive, negative), columns prediction (positive, negative).</summary>
    public IReadOnlyList<IReadOnlyList<int>> ConfusionMatrix => [[TruePositives, FalseNegatives], [FalsePositives, TrueNegatives]];

    internal static double? Ratio(int numerator, int denominator) => denominator == 0 ? null : (double)numerator / denominator;
}

/// <summary>Verdicts by the category the model named: how many, and how many of them were right.</summary>
public sealed record PredictedCategoryMetrics(int Predictions, int TruePositives, int FalsePositives)
{
    public double? Precision => GroupMetrics.Ratio(TruePositives, TruePositives + FalsePositives);
}

/// <summary>Nearest-rank percentiles (the smallest value with at least p % of the values at or below it).</summary>
public sealed record DistributionSummary(int Count, double? Mean, double? P50, double? P95, double? P99, double? Max);

public sealed record HistogramBin(double From, double To, int Count);

/// <summary>Token usage over every classification (all repeats), in total and per classification.</summary>
public sealed record TokenSummary(
    int Classifications,
    long PromptTotal,
    long CompletionTotal,
    long CachedTotal,
    double? PromptPerRecord,
    double? CompletionPerRecord,
    double? CachedPerRecord,
    double? TotalPerRecord);

/// <summary>
/// How far P(violation) can be taken at its word: a reliability diagram in ten bins, the Brier score and the
/// expected calibration error (bin-count-weighted |observed − predicted|). Scored verdicts with a probability only.
/// </summary>
public sealed record CalibrationSummary(int Count, int WithoutProbability, double? Brier, double? ExpectedCalibrationError, IReadOnlyList<CalibrationBin> Bins);

public sealed record CalibrationBin(double From, double To, int Count, double? MeanPredicted, double? ObservedRate);

/// <summary>
/// The lowest threshold whose false-positive rate is at or below <see cref="TargetFpr"/>, with the recall it keeps.
/// <see cref="Measurable"/> is false when there are too few negatives for one false positive to be as small as the
/// target (e.g. 287 negatives: one false positive is 0.35 %, so a 0.1 % rate cannot be seen).
/// </summary>
public sealed record ThresholdTarget(
    double TargetFpr,
    bool Measurable,
    double? Threshold,
    double? Recall,
    double? Precision,
    double? FalsePositiveRate,
    int FalsePositives,
    int Flagged,
    int Negatives,
    int NegativesForOneFalsePositive,
    int NegativesForRuleOfThree,
    string Note);

/// <summary>One point of the threshold sweep: flag when the verdict is a violation and its score ≥ threshold.</summary>
public sealed record ThresholdPoint(double Threshold, int Flagged, double? Precision, double? Recall, double? FalsePositiveRate);

/// <summary>
/// Agreement of the <c>--repeat</c> runs on each record (records with an error in any run are left out):
/// the share with the same verdict in every run, Fleiss' kappa over all runs, and the mean of Cohen's kappa over
/// each pair of runs. Kappa is null when chance agreement is 1 (every verdict the same).
/// </summary>
public sealed record AgreementSummary(
    int Repeats,
    int Records,
    int RecordsWithError,
    double? IdenticalFraction,
    double? FleissKappa,
    double? MeanCohenKappa,
    double? MeanProbabilityStdDev,
    string Note);

public sealed record RepeatSummary(int Repeat, GroupMetrics Overall);

/// <summary>The difference from a baseline run (this minus baseline).</summary>
public sealed record EvalComparison(
    string Directory,
    string PolicyId,
    int PolicyVersion,
    string Model,
    double? PrecisionDelta,
    double? RecallDelta,
    double? F1Delta,
    double? AccuracyDelta,
    int ErrorsDelta,
    double? LatencyP50Delta);
