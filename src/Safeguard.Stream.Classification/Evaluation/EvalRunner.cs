using Safeguard.Stream.Core.Prompts;

namespace Safeguard.Stream.Classification.Evaluation;

/// <summary>What one eval run classifies: the dataset read, how often and how many at once, and an earlier run to compare with.</summary>
public sealed record EvalRunRequest(Policy Policy, EvalDataset Data, EvalLabels Labels, string DatasetName, int Repeat, int Concurrency)
{
    /// <summary>An earlier run's metrics and the folder they came from, compared side by side in the report.</summary>
    public (EvalMetrics Metrics, string Directory)? Baseline { get; init; }

    /// <summary>Apply the live pipeline's pre-screen (default); false sends every record to the model.</summary>
    public bool PreScreen { get; init; } = true;

    /// <summary>
    /// <c>--bundle</c>: classify each record in one request with these other public policies (those whose scope
    /// matches the record and that the pre-screen keeps), as <c>Safeguard:Llm:Bundle</c> does live; the policy's own
    /// verdict is read from the bundled answer. Null classifies the policy alone.
    /// </summary>
    public IReadOnlyList<Policy>? BundleWith { get; init; }
}

/// <summary>An eval run's outcome: its metrics and every prediction, ordered by repeat then dataset line.</summary>
public sealed record EvalRunResult(EvalMetrics Metrics, IReadOnlyList<EvalPrediction> Predictions);

/// <summary>
/// Classifies every record of a labeled dataset through the same client and prompt as the live pipeline
/// (<see cref="SafeguardClassifierClient.ClassifyAsync"/>), then computes the metrics and writes
/// <c>predictions.jsonl</c>, <c>metrics.json</c>, <c>thresholds.json</c> and <c>report.html</c>. A record whose
/// classification throws becomes a failed prediction (counted as an error), so one record never ends a long run; a
/// misconfigured model server (<see cref="LlmMisconfiguredException"/>) ends it, as every later request would fail too.
/// </summary>
public sealed class EvalRunner(SafeguardClassifierClient client, IOptions<LlmOptions> options, TimeProvider time)
{
    public string Model => client.Model;

    /// <summary>The role the policy is sent in, as reports name it (<c>developer</c> or <c>system</c>).</summary>
    public string PolicyRole => options.Value.PolicyRole.ToString().ToLowerInvariant();

    /// <summary>Classifies the records <see cref="EvalRunRequest.Repeat"/> times; <paramref name="completed"/> is called
    /// after each prediction (from several threads), with true when it is an error.</summary>
    public async Task<EvalRunResult> RunAsync(EvalRunRequest request, Action<bool>? completed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var policy = request.Policy;
        var data = request.Data;
        var startedAt = time.GetUtcNow();
        var started = time.GetTimestamp();
        var work = Enumerable.Range(1, request.Repeat).SelectMany(run => data.Records.Select(record => (Run: run, Record: record))).ToList();
        var predictions = new EvalPrediction[work.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, work.Count),
            new ParallelOptions { MaxDegreeOfParallelism = request.Concurrency, CancellationToken = cancellationToken },
            async (index, token) =>
            {
                var (run, record) = work[index];
                predictions[index] = await PredictAsync(request, record, run, token);
                completed?.Invoke(predictions[index].Status == "error");
            });

        var ordered = predictions.OrderBy(p => p.Repeat).ThenBy(p => p.Record.Line).ToList();
        var info = new EvalRunInfo(policy.Id, policy.Version, policy.Mode.ToString().ToLowerInvariant(), policy.Threshold, client.Model,
            request.DatasetName, request.Labels.Positive, request.Labels.Negative, request.Repeat, request.Concurrency, startedAt,
            time.GetElapsedTime(started).TotalSeconds)
        { PolicyRole = PolicyRole };
        var summary = new EvalDatasetSummary(
            data.LinesRead, data.Records.Count, data.Problems.Count, data.Records.Count(r => r.Truth), data.Records.Count(r => !r.Truth), data.Limited,
            data.Records.Count(r => !policy.AppliesTo.Matches(r.Wiki, r.Lang, r.Namespace)), data.Problems);
        var metrics = EvalMetricsCalculator.Compute(info, summary, ordered);
        if (request.Baseline is { } baseline)
        {
            metrics = metrics with { Baseline = EvalMetricsCalculator.Compare(metrics, baseline.Metrics, baseline.Directory) };
        }

        return new EvalRunResult(metrics, ordered);
    }

    /// <summary>Writes the run's four files into <paramref name="directory"/> (created; files replaced).</summary>
    public static async Task WriteAsync(EvalRunResult result, EvalMetrics? baseline, string directory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(directory);
        var utf8 = new UTF8Encoding(false);
        await File.WriteAllTextAsync(Path.Combine(directory, "predictions.jsonl"), string.Concat(result.Predictions.Select(p => EvalJson.PredictionLine(p) + "\n")), utf8, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "metrics.json"), EvalJson.Metrics(result.Metrics), utf8, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "thresholds.json"), EvalJson.Thresholds(result.Metrics), utf8, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "report.html"), EvalReportWriter.Write(result.Metrics, result.Predictions, baseline), utf8, cancellationToken);
    }

    private async Task<EvalPrediction> PredictAsync(EvalRunRequest request, EvalRecord record, int run, CancellationToken cancellationToken)
    {
        var policy = request.Policy;
        var classification = record.ToClassificationRequest(time.GetUtcNow());
        bool Kept(Policy p) => !request.PreScreen || Core.Routing.PreScreen.Check(p, classification.Edit, classification.Diff) is null;
        if (request.PreScreen && Core.Routing.PreScreen.Check(policy, classification.Edit, classification.Diff) is { } skipReason)
        {
            return EvalPrediction.FromSkip(record, run, skipReason);
        }

        var bundled = request.BundleWith?
            .Where(p => p.Id != policy.Id && p.Visibility == PolicyVisibility.Public && p.AppliesTo.Matches(record.Wiki, record.Lang, record.Namespace) && Kept(p))
            .Append(policy)
            .ToList();
        var sent = time.GetTimestamp();
        try
        {
            var verdict = bundled is { Count: > 1 } && policy.Visibility == PolicyVisibility.Public
                ? (await client.ClassifyBundleAsync(PolicyBundle.Create(bundled), classification, cancellationToken)).Single(v => v.PolicyId == policy.Id)
                : await client.ClassifyAsync(policy, classification, cancellationToken);
            return EvalPrediction.FromVerdict(record, run, verdict);
        }
        catch (Exception ex) when (ex is not LlmMisconfiguredException && !cancellationToken.IsCancellationRequested)
        {
            var reason = ex switch
            {
                LlmRejectedException => "rejected: " + ex.Message,
                LlmUnavailableException => "unavailable: " + ex.Message,
                _ => $"failed: {ex.GetType().Name}: {ex.Message}",
            };
            return EvalPrediction.FromFailure(record, run, reason, (long)time.GetElapsedTime(sent).TotalMilliseconds);
        }
    }
}
