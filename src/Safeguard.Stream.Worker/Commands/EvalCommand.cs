using Safeguard.Stream.Classification.Evaluation;
using Safeguard.Stream.Postgres;
using Safeguard.Stream.Review;

namespace Safeguard.Stream.Worker.Commands;

/// <summary>
/// <c>safeguard eval --dataset FILE.jsonl --policy ID --out DIR [--positive-labels a,b] [--negative-labels c,d]
/// [--limit N] [--repeat K] [--concurrency N] [--baseline DIR] [--policy-role developer|system] [--record]</c>: reads the dataset,
/// has <see cref="EvalRunner"/> classify every labeled record through the same client and prompt as the live pipeline
/// and write <c>predictions.jsonl</c>, <c>metrics.json</c>, <c>thresholds.json</c> and <c>report.html</c> to DIR, and prints.
/// Bad dataset lines are reported by line number and left out; a bad option exits 2 naming it; a run in which no
/// classification succeeded still writes its outputs and exits 1. <c>--record</c> also stores the run's counts in
/// <c>safeguard.eval_runs</c> (<see cref="EvalRuns"/>), where the review app's dashboard shows the last one.
/// </summary>
internal static class EvalCommand
{
    private const int DefaultConcurrency = 8;
    private const int MaxRepeat = 100;
    private const int ProblemsPrinted = 20;

    public static Command Create()
    {
        // Values are read as text and checked here, so that every mistake exits 2 with the option named.
        var dataset = new Option<string?>("--dataset") { Description = "Labeled JSONL: {id, wiki, lang, title, comment, added_text, removed_text, label, ...} (e.g. tests/data/eval/cluebotng_enwiki_dev.jsonl)." };
        var policy = new Option<string?>("--policy") { Description = "Policy id (a file in the policy folder, Safeguard:Policies:Directory)." };
        var output = new Option<string?>("--out") { Description = "Folder for predictions.jsonl, metrics.json, thresholds.json and report.html (created; files replaced)." };
        var positive = new Option<string?>("--positive-labels") { Description = "Comma-separated labels the policy should flag (default: the policy id, e.g. vandalism)." };
        var negative = new Option<string?>("--negative-labels") { Description = "Comma-separated labels it should not flag (default: constructive, non_toxic, safe, benign, ok, good, clean, negative, not_<positive>)." };
        var limit = new Option<string?>("--limit") { Description = "Evaluate only the first N usable records." };
        var repeat = new Option<string?>("--repeat") { Description = "Classify every record K times to measure agreement (default 1)." };
        var concurrency = new Option<string?>("--concurrency") { Description = $"Requests in flight (default {DefaultConcurrency}); also caps Safeguard:Llm:MaxConcurrency for this run." };
        var baseline = new Option<string?>("--baseline") { Description = "An earlier eval --out folder to compare with, side by side in the report." };
        var policyRole = new Option<string?>("--policy-role") { Description = "developer (default: '# Instructions' developer message) or system: the role the policy is sent in (Safeguard:Llm:PolicyRole). Compare both with --baseline." };
        var bundle = new Option<bool>("--bundle") { Description = "Also classify with policy bundles (every public policy in scope in one request) and compare: the bundled run goes to OUT/bundled with this run as its baseline." };
        var noPreScreen = new Option<bool>("--no-prescreen") { Description = "Send every record to the model: no pre-screen skips (compare with a run that has them)." };
        var record = new Option<bool>("--record") { Description = "Also store the run's counts at the policy's threshold in the database (Safeguard:Postgres), where the review app's dashboard shows the last run beside the moderators' precision." };
        var command = new Command("eval", "Measure a policy on a labeled dataset (--dataset FILE --policy ID --out DIR).")
        {
            dataset, policy, output, positive, negative, limit, repeat, concurrency, baseline, policyRole, noPreScreen, bundle, record,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, ct) => SafeguardCli.Guard(async () =>
        {
            if (parse.UnmatchedTokens.Count > 0)
            {
                throw new UsageException($"eval: unknown option or argument '{parse.UnmatchedTokens[0]}' (see safeguard eval --help)");
            }

            var settings = new EvalSettings(
                Required(parse.GetValue(dataset), "--dataset"),
                Required(parse.GetValue(policy), "--policy"),
                Required(parse.GetValue(output), "--out"),
                List(parse.GetValue(positive)),
                List(parse.GetValue(negative)),
                parse.GetValue(limit) is { } l ? Number(l, "--limit", 1, int.MaxValue) : null,
                parse.GetValue(repeat) is { } r ? Number(r, "--repeat", 1, MaxRepeat) : 1,
                parse.GetValue(concurrency) is { } c ? Number(c, "--concurrency", 1, 1024) : DefaultConcurrency,
                parse.GetValue(baseline),
                parse.GetValue(policyRole) is { } role ? Role(role) : null,
                !parse.GetValue(noPreScreen),
                parse.GetValue(bundle))
            {
                Record = parse.GetValue(record),
            };
            return await RunAsync(settings, ct);
        }));
        return command;
    }

    private sealed record EvalSettings(
        string Dataset, string PolicyId, string Out, IReadOnlyList<string> Positive, IReadOnlyList<string> Negative,
        int? Limit, int Repeat, int Concurrency, string? Baseline, LlmPolicyRole? PolicyRole, bool PreScreen, bool Bundle)
    {
        public bool Record { get; init; }
    }

    private static async Task<int> RunAsync(EvalSettings settings, CancellationToken ct)
    {
        if (!File.Exists(settings.Dataset))
        {
            throw new UsageException($"--dataset: file not found: {settings.Dataset}");
        }

        if (File.Exists(settings.Out))
        {
            throw new UsageException($"--out: {settings.Out} is a file; give a folder");
        }

        var baseline = settings.Baseline is null ? null : ReadBaseline(settings.Baseline);

        var limit = settings.Concurrency.ToString(CultureInfo.InvariantCulture);
        var overrides = new Dictionary<string, string?>
        {
            ["Safeguard:Llm:MaxConcurrency"] = limit,
            ["Safeguard:Llm:InitialConcurrency"] = limit,
        };
        if (settings.PolicyRole is { } role)
        {
            overrides["Safeguard:Llm:PolicyRole"] = role.ToString();
        }

        var builder = SafeguardHost.CreateCommandBuilder(overrides);
        builder.AddSafeguardClassification();
        if (settings.Record)
        {
            builder.AddSafeguardPostgres();
        }

        using var host = builder.Build();

        var catalog = host.Services.GetRequiredService<PolicyCatalog>();
        var policy = catalog.Policies.FirstOrDefault(p => p.Id == settings.PolicyId)
            ?? throw new UsageException($"--policy: no policy '{settings.PolicyId}' in {catalog.Directory}");

        EvalLabels labels;
        try
        {
            labels = EvalLabels.For(policy.Id, settings.Positive, settings.Negative);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException("--negative-labels: " + ex.Message.Split(" (Parameter", 2)[0]);
        }

        EvalDataset data;
        using (var reader = File.OpenText(settings.Dataset))
        {
            data = await EvalDatasetReader.ReadAsync(reader, labels, settings.Limit, ct);
        }

        foreach (var problem in data.Problems.Take(ProblemsPrinted))
        {
            await Console.Error.WriteLineAsync($"eval: excluded {problem}");
        }

        if (data.Problems.Count > ProblemsPrinted)
        {
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"eval: {data.Problems.Count - ProblemsPrinted} more excluded lines are listed in metrics.json"));
        }

        if (data.Records.Count == 0)
        {
            throw new UsageException($"--dataset: no usable record in {settings.Dataset} ({data.Problems.Count} line(s) excluded)");
        }

        if (!data.Records.Any(r => r.Truth))
        {
            await Console.Error.WriteLineAsync($"eval: warning: no record has a positive label ({string.Join(", ", labels.Positive)}); recall is undefined. Set --positive-labels?");
        }

        var runner = host.Services.GetRequiredService<EvalRunner>();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"eval: policy {policy.Id} v{policy.Version} ({policy.Mode.ToString().ToLowerInvariant()}, threshold {policy.Threshold}), model {runner.Model}, policy role {runner.PolicyRole}, {data.Records.Count} record(s) × {settings.Repeat} run(s), concurrency {settings.Concurrency}"));

        var progress = new ProgressReporter(data.Records.Count * settings.Repeat, TimeProvider.System, Console.IsOutputRedirected);
        var result = await runner.RunAsync(
            new EvalRunRequest(policy, data, labels, Path.GetFileName(settings.Dataset), settings.Repeat, settings.Concurrency)
            {
                Baseline = baseline is null ? null : (baseline, Path.GetFullPath(settings.Baseline!)),
                PreScreen = settings.PreScreen,
            },
            progress.Completed,
            ct);
        progress.Finish();
        var metrics = result.Metrics;
        await EvalRunner.WriteAsync(result, baseline, settings.Out, ct);

        PrintSummary(metrics, settings.Out);
        if (metrics.Overall.Scored == 0)
        {
            await Console.Error.WriteLineAsync("eval: no classification succeeded (see the error column of predictions.jsonl); outputs written, exit 1");
            return ExitCodes.RuntimeFailure;
        }

        if (settings.Record)
        {
            var id = await host.Services.GetRequiredService<EvalRunStore>().RecordAsync(EvalRuns.From(metrics, policy), ct);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"eval: recorded as run {id} in safeguard.eval_runs (the review dashboard's last eval for {policy.Id})"));
        }

        if (settings.Bundle)
        {
            if (policy.Visibility != PolicyVisibility.Public)
            {
                throw new UsageException($"--bundle: policy '{policy.Id}' is restricted, and restricted policies are never bundled");
            }

            var others = catalog.Policies.Where(p => p.Id != policy.Id && p.Visibility == PolicyVisibility.Public).ToList();
            Console.WriteLine($"eval: bundled with {string.Join(", ", others.Select(p => p.Id))} (where in scope), compared with the run above");
            var bundledOut = Path.Combine(settings.Out, "bundled");
            var bundledProgress = new ProgressReporter(data.Records.Count * settings.Repeat, TimeProvider.System, Console.IsOutputRedirected);
            var bundled = await runner.RunAsync(
                new EvalRunRequest(policy, data, labels, Path.GetFileName(settings.Dataset), settings.Repeat, settings.Concurrency)
                {
                    Baseline = (metrics, Path.GetFullPath(settings.Out)),
                    PreScreen = settings.PreScreen,
                    BundleWith = others,
                },
                bundledProgress.Completed,
                ct);
            bundledProgress.Finish();
            await EvalRunner.WriteAsync(bundled, metrics, bundledOut, ct);
            PrintSummary(bundled.Metrics, bundledOut);
        }

        return ExitCodes.Ok;
    }

    private static EvalMetrics ReadBaseline(string directory)
    {
        var file = Path.Combine(directory, "metrics.json");
        if (!File.Exists(file))
        {
            throw new UsageException($"--baseline: no metrics.json in {directory} (give the --out folder of an earlier safeguard eval)");
        }

        try
        {
            return EvalJson.ReadMetrics(File.ReadAllText(file));
        }
        catch (JsonException ex)
        {
            throw new UsageException($"--baseline: {file} is not a safeguard eval metrics file: {ex.Message}");
        }
    }

    private static void PrintSummary(EvalMetrics m, string output)
    {
        static string F(double? v) => v is { } x ? x.ToString("0.000", CultureInfo.InvariantCulture) : "-";
        var o = m.Overall;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"eval: {m.Dataset.Records} records ({m.Dataset.Excluded} excluded), TP={o.TruePositives} FP={o.FalsePositives} TN={o.TrueNegatives} FN={o.FalseNegatives} errors={o.Errors}: precision={F(o.Precision)} recall={F(o.Recall)} f1={F(o.F1)} accuracy={F(o.Accuracy)}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"eval: latency_ms p50={m.LatencyMs.P50} p95={m.LatencyMs.P95} p99={m.LatencyMs.P99}, tokens per classification {m.Tokens.TotalPerRecord:0.#}"));
        foreach (var t in m.Thresholds)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"eval: FPR ≤ {t.TargetFpr * 100:0.##}%: threshold {(t.Threshold is { } th ? th.ToString("0.####", CultureInfo.InvariantCulture) : "-")} recall {F(t.Recall)}{(t.Measurable ? "" : " (too few negatives to measure)")}"));
        }

        if (m.PreScreen is { Skipped: > 0 } skips)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"eval: pre-screen skipped {skips.Skipped} of {skips.Records} ({string.Join(", ", skips.ByReason.Select(r => $"{r.Key} {r.Value}"))}); labeled positives skipped: {skips.PositivesSkipped}"));
        }

        if (m.Baseline is { } b)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"eval: against baseline {b.Directory}: Δprecision={F(b.PrecisionDelta)} Δrecall={F(b.RecallDelta)} Δf1={F(b.F1Delta)}"));
        }

        if (m.Run.Simulated)
        {
            Console.WriteLine("eval: verdicts came from the vLLM simulator: the numbers test the harness, not moderation quality");
        }

        Console.WriteLine($"eval: wrote predictions.jsonl, metrics.json, thresholds.json, report.html to {Path.GetFullPath(output)}");
    }

    private static string Required(string? value, string option) =>
        string.IsNullOrWhiteSpace(value) ? throw new UsageException($"{option} is required (safeguard eval --dataset FILE.jsonl --policy ID --out DIR)") : value;

    private static int Number(string text, string option, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new UsageException($"{option}: expected a whole number from {min} to {max}, got '{text}'");

    private static LlmPolicyRole Role(string text) => text.Trim().ToLowerInvariant() switch
    {
        "developer" => LlmPolicyRole.Developer,
        "system" => LlmPolicyRole.System,
        _ => throw new UsageException($"--policy-role: expected developer or system, got '{text}'"),
    };

    private static string[] List(string? text) =>
        text is null ? [] : [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>Counts finished classifications for <see cref="TerminalProgress"/>: a bar with rate and ETA.</summary>
    private sealed class ProgressReporter(int total, TimeProvider time, bool plain)
    {
        private readonly TerminalProgress _display = new(time, plain);
        private readonly Lock _gate = new();
        private readonly long _started = time.GetTimestamp();
        private int _done;
        private int _errors;

        public void Completed(bool error)
        {
            // Counted and drawn under one lock, so lines never come out of order.
            lock (_gate)
            {
                _done++;
                _errors += error ? 1 : 0;
                var progress = new EvalProgress(_done, total, _errors, time.GetElapsedTime(_started));
                _display.Report(total == 0 ? 1 : (double)_done / total, () => progress.Bar(), progress.Line, _done == total);
            }
        }

        public void Finish() => _display.Finish();
    }
}
