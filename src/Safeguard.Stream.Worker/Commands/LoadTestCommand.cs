using Safeguard.Stream.Classification.LoadTest;

namespace Safeguard.Stream.Worker.Commands;

/// <summary>
/// <c>safeguard loadtest --endpoint URL [--model M] [--api-key-env VAR] [--policies DIR] [--max-concurrency N]
/// [--sizes 128x64,512x128] [--duration-per-step S] [--max-requests N] [--edits-per-second N] [--out DIR]</c>: sizes a
/// model server for the loaded policy set (<see cref="LoadTestRunner"/>), writes <c>results.json</c> and
/// <c>report.html</c> to DIR, and prints the knee, the recommended <c>Safeguard:Llm:MaxConcurrency</c> and the GPUs
/// needed. Ctrl-C stops it and writes what was measured (exit 1). A bad option exits 2 naming it.
/// </summary>
internal static class LoadTestCommand
{
    public const string DefaultSizes = "128x64,512x128,1024x256,2048x512";
    private const int DefaultMaxConcurrency = 512;
    private const double DefaultStepSeconds = 5;
    private const int DefaultMaxRequests = 20_000;

    public static Command Create()
    {
        // Values are read as text and checked here, so that every mistake exits 2 with the option named.
        var endpoint = new Option<string?>("--endpoint") { Description = "The model server's OpenAI-compatible base URL, with /v1 (e.g. http://localhost:18000/v1)." };
        var model = new Option<string?>("--model") { Description = "Model name (default Safeguard:Llm:Model)." };
        var apiKeyEnv = new Option<string?>("--api-key-env") { Description = "Name of the environment variable holding the API key (default: Safeguard:Llm:ApiKey)." };
        var policies = new Option<string?>("--policies") { Description = "Policy folder (default Safeguard:Policies:Directory); one request per (edit, policy)." };
        var maxConcurrency = new Option<string?>("--max-concurrency") { Description = $"Highest concurrency the sweep may reach (default {DefaultMaxConcurrency})." };
        var sizes = new Option<string?>("--sizes") { Description = $"Size sweep, EDITxOUT tokens, comma-separated (default {DefaultSizes}); 'none' skips it." };
        var duration = new Option<string?>("--duration-per-step") { Description = $"Seconds each step sends new requests (default {DefaultStepSeconds})." };
        var maxRequests = new Option<string?>("--max-requests") { Description = $"Requests in the whole run at most (default {DefaultMaxRequests})." };
        var editsPerSecond = new Option<string?>("--edits-per-second") { Description = "An edit rate to size for: prints the GPUs needed, ceil(N / edits/s at the knee)." };
        var output = new Option<string?>("--out") { Description = "Folder for results.json and report.html (default ./loadtest; created, files replaced)." };
        var command = new Command("loadtest", "Size a model server: sweep concurrency and prompt/completion sizes, find the saturation knee, recommend Safeguard:Llm:MaxConcurrency and count GPUs.")
        {
            endpoint, model, apiKeyEnv, policies, maxConcurrency, sizes, duration, maxRequests, editsPerSecond, output,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, ct) => SafeguardCli.Guard(async () =>
        {
            if (parse.UnmatchedTokens.Count > 0)
            {
                throw new UsageException($"loadtest: unknown option or argument '{parse.UnmatchedTokens[0]}' (see safeguard loadtest --help)");
            }

            var url = parse.GetValue(endpoint) is { Length: > 0 } e ? e : throw new UsageException("--endpoint is required (safeguard loadtest --endpoint http://HOST:PORT/v1)");
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new UsageException($"--endpoint: expected an http(s) URL such as http://localhost:18000/v1, got '{url}'");
            }

            var overrides = new Dictionary<string, string?> { ["Safeguard:Llm:Endpoint"] = uri.ToString() };
            if (parse.GetValue(model) is { Length: > 0 } m)
            {
                overrides["Safeguard:Llm:Model"] = m;
            }

            if (parse.GetValue(apiKeyEnv) is { Length: > 0 } variable)
            {
                overrides["Safeguard:Llm:ApiKey"] = Environment.GetEnvironmentVariable(variable) is { Length: > 0 } key
                    ? key
                    : throw new UsageException($"--api-key-env: the environment variable {variable} is not set");
            }

            if (parse.GetValue(policies) is { Length: > 0 } directory)
            {
                overrides["Safeguard:Policies:Directory"] = Directory.Exists(directory) ? Path.GetFullPath(directory) : throw new UsageException($"--policies: no folder {directory}");
            }

            IReadOnlyList<LoadSize> sweep;
            try
            {
                var text = parse.GetValue(sizes) ?? DefaultSizes;
                sweep = text.Trim() == "none" ? [] : LoadSize.ParseList(text);
            }
            catch (FormatException ex)
            {
                throw new UsageException("--sizes: " + ex.Message);
            }

            var plan = new LoadTestPlan(
                parse.GetValue(maxConcurrency) is { } c ? Whole(c, "--max-concurrency", 1, 4096) : DefaultMaxConcurrency,
                sweep,
                TimeSpan.FromSeconds(parse.GetValue(duration) is { } d ? Real(d, "--duration-per-step", 0.1, 3600) : DefaultStepSeconds),
                parse.GetValue(maxRequests) is { } r ? Whole(r, "--max-requests", 1, 100_000_000) : DefaultMaxRequests,
                parse.GetValue(editsPerSecond) is { } n ? Real(n, "--edits-per-second", 0.001, 1e9) : null);
            var outDir = parse.GetValue(output) ?? "loadtest";
            if (File.Exists(outDir))
            {
                throw new UsageException($"--out: {outDir} is a file; give a folder");
            }

            return await RunAsync(plan, overrides, outDir, ct);
        }));
        return command;
    }

    private static async Task<int> RunAsync(LoadTestPlan plan, Dictionary<string, string?> overrides, string outDir, CancellationToken ct)
    {
        var builder = SafeguardHost.CreateCommandBuilder(overrides);
        builder.AddSafeguardClassification();
        using var host = builder.Build();
        var catalog = host.Services.GetRequiredService<PolicyCatalog>();
        if (catalog.Policies.Count == 0)
        {
            throw new UsageException($"--policies: no policy in {catalog.Directory}");
        }

        var runner = host.Services.GetRequiredService<LoadTestRunner>();
        var llm = host.Services.GetRequiredService<IOptions<LlmOptions>>().Value;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"loadtest: {runner.Endpoint}, model {runner.Model}, {catalog.Policies.Count} policies ({string.Join(", ", catalog.Policies.Select(p => p.Id))}) = {catalog.Policies.Count} requests per edit; concurrency 1..{plan.MaxConcurrency}, {plan.DurationPerStep.TotalSeconds:0.#} s per step, at most {plan.MaxRequests} requests, request timeout {llm.RequestTimeout.TotalSeconds:0} s"));

        var display = new TerminalProgress(TimeProvider.System, Console.IsOutputRedirected);
        // The files are rewritten after every step, so that even a run killed mid-way leaves what it measured.
        var result = await runner.RunAsync(plan, catalog.Policies, p => display.Report(p.Fraction, () => p.Bar(), p.Line),
            partial => LoadTestRunner.WriteAsync(partial, outDir, CancellationToken.None), ct);
        display.Finish();
        // Written even after Ctrl-C: what was measured is kept, marked interrupted.
        await LoadTestRunner.WriteAsync(result, outDir, CancellationToken.None);
        Print(result, outDir);
        if (result.Run.Ended == "interrupted")
        {
            await Console.Error.WriteLineAsync("loadtest: interrupted; wrote the finished steps, exit 1");
            return ExitCodes.RuntimeFailure;
        }

        if (result.ConcurrencySteps.All(s => s.Errors == s.Requests))
        {
            await Console.Error.WriteLineAsync($"loadtest: every request failed ({string.Join(", ", result.ConcurrencySteps.SelectMany(s => s.ErrorKinds.Keys).Distinct())}); check --endpoint, --model and the API key (safeguard llm check)");
            return ExitCodes.RuntimeFailure;
        }

        return ExitCodes.Ok;
    }

    private static void Print(LoadTestResult result, string outDir)
    {
        static string Ms(double? v) => v is { } x ? x.ToString("0", CultureInfo.InvariantCulture) : "-";
        Console.WriteLine("loadtest:   conc  edit x out   req/s  prompt tok/s  compl tok/s   edits/s   p50 ms   p95 ms   p99 ms  errors");
        foreach (var s in result.ConcurrencySteps.Concat(result.SizeSteps))
        {
            var size = s.EditTokens.ToString(CultureInfo.InvariantCulture) + "x" + (s.CompletionTokensRequested?.ToString(CultureInfo.InvariantCulture) ?? "free");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"loadtest: {s.Concurrency,6} {size,11} {s.RequestsPerSecond,7:0.##} {s.PromptTokensPerSecond,13:0} {s.CompletionTokensPerSecond,12:0} {s.EditsPerSecond,9:0.###} {Ms(s.LatencyMs.P50),8} {Ms(s.LatencyMs.P95),8} {Ms(s.LatencyMs.P99),8} {s.Errors,7}"));
        }

        var sizing = result.Sizing;
        var knee = sizing.Knee;
        Console.WriteLine(knee.Reason switch
        {
            KneeReason.Plateau or KneeReason.Errors => string.Create(CultureInfo.InvariantCulture,
                $"loadtest: knee at concurrency {knee.Concurrency} ({(knee.Reason == KneeReason.Plateau ? "throughput stopped growing" : "errors rose above it")}): {sizing.RequestsPerSecondAtKnee:0.##} requests/s, {sizing.EditsPerSecondAtKnee:0.###} edits/s, p50 {Ms(knee.LatencyP50Ms)} ms"),
            KneeReason.NotReached => string.Create(CultureInfo.InvariantCulture,
                $"loadtest: no knee up to concurrency {knee.RecommendedMaxConcurrency}: throughput still grew (raise --max-concurrency); best {sizing.RequestsPerSecondAtKnee:0.##} requests/s, {sizing.EditsPerSecondAtKnee:0.###} edits/s"),
            _ => "loadtest: no step without errors: no knee",
        });
        if (sizing.RecommendedMaxConcurrency is { } recommended)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"loadtest: recommended Safeguard:Llm:MaxConcurrency = {recommended}{(knee.Reason == KneeReason.NotReached ? " (at least)" : "")} per model server"));
        }

        if (sizing.TargetEditsPerSecond is { } target)
        {
            Console.WriteLine(sizing.GpusNeeded is { } gpus
                ? string.Create(CultureInfo.InvariantCulture, $"loadtest: {target:0.###} edits/s need {gpus} GPU(s) at {sizing.EditsPerSecondAtKnee:0.###} edits/s each")
                : "loadtest: GPUs needed: unknown (no throughput measured)");
        }

        if (result.Run.Simulated)
        {
            Console.WriteLine("loadtest: the answers came from the vLLM simulator: the numbers test the tool, not a GPU");
        }

        Console.WriteLine($"loadtest: wrote results.json and report.html to {Path.GetFullPath(outDir)}");
    }

    private static int Whole(string text, string option, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new UsageException($"{option}: expected a whole number from {min} to {max}, got '{text}'");

    private static double Real(string text, string option, double min, double max) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new UsageException($"{option}: expected a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, got '{text}'");
}
