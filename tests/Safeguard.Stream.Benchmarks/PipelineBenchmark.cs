using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Safeguard.Stream.Fakes;

namespace Safeguard.Stream.Benchmarks;

/// <summary>
/// The saturation, latency and cost scenarios: the real <c>safeguard run</c> worker (published binary, child process)
/// against a throwaway PostgreSQL cluster, librdkafka's mock Kafka cluster, the vLLM simulator with the
/// <see cref="ContinuousBatchingModel"/> and the wiki API fixture server. Events are offered live through the SSE
/// replay server with their event time set when they are emitted, exactly as EventStreams would deliver them, and the
/// verdicts are read back from Kafka as they are acknowledged (<see cref="VerdictTap"/>).
/// </summary>
internal sealed class PipelineBenchmark(string worker, string policiesDirectory, PipelineBenchmark.Sizes sizes) : IAsyncDisposable
{
    /// <summary>Where the adaptive LLM limit starts in the benchmarks (deployment choice: a quarter of max-num-seqs).</summary>
    private const int InitialConcurrency = 64;

    private readonly ContinuousBatchingModel _model = new();
    private PostgresCluster _postgres = null!;
    private KafkaMockCluster _kafka = null!;
    private VllmSimulator _llm = null!;
    private WikiApiFixtureServer _wiki = null!;
    private long _nextRevId = 700_000_000;
    private int _phase;

    /// <summary>Warm-up batches after the first, at most, while the JIT still compiles (<see cref="SettledJitMethods"/>).</summary>
    private const int ExtraWarmupBatches = 30;

    /// <summary>Fewer methods compiled than this over one warm-up batch: the runtime has settled.</summary>
    private const int SettledJitMethods = 50;

    internal sealed record Sizes(int SaturationEdits, int SequentialEdits, TimeSpan LatencyDuration, int VolumeEdits, int VolumeWarmupEdits);

    internal sealed record Phase(
        int Edits,
        double Seconds,
        double SteadyEditsPerSecond,
        double SteadyCpuMsPerEdit,
        double TotalCpuMsPerEdit,
        double PeakRssMb,
        List<double> EndToEndMs,
        ContinuousBatchingStats Llm,
        List<string> Requests,
        long WikiRequests,
        string Metrics,
        double JitSeconds,
        int WarmupEdits);

    public async Task<Dictionary<string, object>> RunAsync(CancellationToken ct)
    {
        _postgres = await PostgresCluster.StartAsync(ct: ct);
        _kafka = KafkaMockCluster.Start();
        _llm = await VllmSimulator.StartAsync(new VllmSimulatorOptions { LatencyModel = _model, CaptureRequests = true, Seed = 11, EnablePromptTokensDetails = true }, ct: ct);
        _wiki = await WikiApiFixtureServer.StartAsync(ct: ct);
        try
        {
            return await RunScenariosAsync(ct);
        }
        finally
        {
            await _wiki.DisposeAsync();
            await _llm.DisposeAsync();
            _kafka.Dispose();
            await _postgres.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => _model.DisposeAsync();

    private async Task<Dictionary<string, object>> RunScenariosAsync(CancellationToken ct)
    {
        // Saturation (cold prefix cache, as after a server start): every edit offered at once.
        await Console.Error.WriteLineAsync($"bench: saturation, {sizes.SaturationEdits} edits offered at once …");
        var saturation = await RunPhaseAsync(sizes.SaturationEdits, _ => TimeSpan.Zero, [], ct);
        var requestsPerEdit = (double)saturation.Llm.Requests / saturation.Edits;
        var ceilingRequests = _model.CeilingRequestsPerSecond(saturation.Llm.MeanUncachedPromptTokens, saturation.Llm.MeanCompletionTokens);
        var ceilingEdits = ceilingRequests / requestsPerEdit;

        // The same edits with policy bundles (Safeguard:Llm:Bundle): fewer, longer requests under the same capacity model.
        await Console.Error.WriteLineAsync($"bench: saturation with policy bundles, {sizes.SaturationEdits} edits offered at once …");
        var bundled = await RunPhaseAsync(sizes.SaturationEdits, _ => TimeSpan.Zero, new() { ["Safeguard:Llm:Bundle"] = "true" }, ct);
        var bundledRequestsPerEdit = (double)bundled.Llm.Requests / bundled.Edits;
        var bundledCeilingEdits = _model.CeilingRequestsPerSecond(bundled.Llm.MeanUncachedPromptTokens, bundled.Llm.MeanCompletionTokens) / bundledRequestsPerEdit;

        // Sequential: one request at a time, as a plain client would.
        await Console.Error.WriteLineAsync($"bench: sequential, {sizes.SequentialEdits} edits, one request at a time …");
        var sequential = await RunPhaseAsync(sizes.SequentialEdits, _ => TimeSpan.Zero, new()
        {
            ["Safeguard:Llm:MaxConcurrency"] = "1",
            ["Safeguard:Llm:MinConcurrency"] = "1",
            ["Safeguard:Llm:InitialConcurrency"] = "1",
        }, ct);
        var sequentialRate = sequential.Edits / sequential.Seconds;

        // Latency: half the ceiling, evenly spaced.
        var rate = ceilingEdits / 2;
        var latencyEdits = Math.Max(10, (int)(rate * sizes.LatencyDuration.TotalSeconds));
        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"bench: latency, {latencyEdits} edits at {rate:0.00}/s (half the ceiling) …"));
        var latency = await RunPhaseAsync(latencyEdits, i => TimeSpan.FromSeconds(i / rate), [], ct);

        // Volume: the same worker against a simulator that answers at once (no GPU bound), so the worker itself is the
        // bottleneck: its own ceiling and its marginal CPU per edit, without the fixed cost of a process that mostly
        // waits for the model (timers, thread wake-ups, tiered JIT), which dominates cpu_ms_per_edit at 3.6 edits/s.
        await Console.Error.WriteLineAsync($"bench: volume, {sizes.VolumeEdits} edits offered at once to an instant model …");
        await using var instant = await VllmSimulator.StartAsync(new VllmSimulatorOptions { Latency = TimeSpan.Zero, Seed = 11, EnablePromptTokensDetails = true }, ct: ct);
        var volume = await RunPhaseAsync(sizes.VolumeEdits, _ => TimeSpan.Zero, new()
        {
            ["Safeguard:Llm:Endpoint"] = instant.BaseUrl.ToString(),
        }, ct, warmup: sizes.VolumeWarmupEdits);

        var prefix = PrefixCache(saturation.Requests, saturation.Llm.CachedPromptTokens);
        Directory.CreateDirectory("artifacts/bench");
        await File.WriteAllTextAsync("artifacts/bench/worker-metrics-saturation.prom", saturation.Metrics, ct);
        await File.WriteAllTextAsync("artifacts/bench/worker-metrics-latency.prom", latency.Metrics, ct);
        return new Dictionary<string, object>
        {
            ["saturation"] = new Dictionary<string, object>
            {
                ["edits"] = saturation.Edits,
                ["ceiling_edits_per_s"] = Round(ceilingEdits, 3),
                ["achieved_edits_per_s"] = Round(saturation.SteadyEditsPerSecond, 3),
                ["efficiency"] = Round(saturation.SteadyEditsPerSecond / ceilingEdits, 3),
                ["sequential_edits_per_s"] = Round(sequentialRate, 3),
                ["speedup_vs_sequential"] = Round(saturation.SteadyEditsPerSecond / sequentialRate, 1),
                ["ceiling_requests_per_s"] = Round(ceilingRequests, 2),
                ["mean_uncached_prompt_tokens"] = Round(saturation.Llm.MeanUncachedPromptTokens, 1),
                ["mean_completion_tokens"] = Round(saturation.Llm.MeanCompletionTokens, 1),
                ["max_batch_seen"] = saturation.Llm.MaxBatchSeen,
                ["max_queue_seen"] = saturation.Llm.MaxQueueSeen,
                ["seconds"] = Round(saturation.Seconds, 1),
                ["window"] = "completions 20 %..90 %",
                ["separate_ceiling_edits_per_s"] = Round(ceilingEdits, 3),
                ["bundled_ceiling_edits_per_s"] = Round(bundledCeilingEdits, 3),
                ["bundled_achieved_edits_per_s"] = Round(bundled.SteadyEditsPerSecond, 3),
                ["bundled_requests_per_edit"] = Round(bundledRequestsPerEdit, 3),
                ["separate_requests_per_edit"] = Round(requestsPerEdit, 3),
                ["bundled_mean_uncached_prompt_tokens"] = Round(bundled.Llm.MeanUncachedPromptTokens, 1),
                ["bundled_mean_completion_tokens"] = Round(bundled.Llm.MeanCompletionTokens, 1),
                ["bundled_vs_separate"] = Round(bundledCeilingEdits / ceilingEdits, 2),
            },
            ["latency"] = new Dictionary<string, object>
            {
                ["edits"] = latency.Edits,
                ["offered_edits_per_s"] = Round(rate, 3),
                ["p50_ms"] = Round(Percentile(latency.EndToEndMs, 0.50), 0),
                ["p99_ms"] = Round(Percentile(latency.EndToEndMs, 0.99), 0),
                ["llm_p99_ms"] = Round(HistogramQuantile(latency.Metrics, "safeguard_stream_llm_duration_seconds", null, 0.99) * 1000, 0),
                ["mw_p99_ms"] = Round(HistogramQuantile(latency.Metrics, "safeguard_stream_stage_duration_seconds", "enrich", 0.99) * 1000, 0),
                ["llm_server_p99_ms"] = Round(Percentile([.. latency.Llm.LatenciesMs], 0.99), 0),
                ["llm_server_p50_ms"] = Round(Percentile([.. latency.Llm.LatenciesMs], 0.50), 0),
                ["verdicts"] = latency.EndToEndMs.Count,
            },
            ["cost"] = new Dictionary<string, object>
            {
                // The worker's own CPU per edit once warm (volume phase: an instant model, so the worker is the bottleneck).
                ["cpu_ms_per_edit"] = Round(volume.SteadyCpuMsPerEdit, 2),
                ["worker_edits_per_s_instant_model"] = Round(volume.SteadyEditsPerSecond, 1),
                // Of the volume phase's CPU (all of it, start of the measured edits to the end): the runtime compiling,
                // and what is left for the edits themselves. A worker that runs for days compiles once.
                ["cpu_ms_per_edit_volume_total"] = Round(volume.TotalCpuMsPerEdit, 2),
                ["jit_ms_per_edit"] = Round(volume.JitSeconds * 1000 / volume.Edits, 2),
                ["volume_warmup_edits"] = volume.WarmupEdits,
                ["cpu_ms_per_edit_without_jit"] = Round(volume.TotalCpuMsPerEdit - (volume.JitSeconds * 1000 / volume.Edits), 2),
                // The same measure where the model is the bottleneck, in fresh processes (JIT warm-up included): at
                // half load (no warm-up there: the worker's LLM histogram would count the warm-up burst) and saturated.
                ["cpu_ms_per_edit_half_load"] = Round(latency.SteadyCpuMsPerEdit, 2),
                ["cpu_ms_per_edit_saturation_fresh_process"] = Round(saturation.SteadyCpuMsPerEdit, 2),
                ["cpu_ms_per_edit_saturation_with_startup"] = Round(saturation.TotalCpuMsPerEdit, 2),
                ["peak_rss_mb"] = Round(Math.Max(saturation.PeakRssMb, latency.PeakRssMb), 1),
                ["peak_rss_mb_at_volume"] = Round(volume.PeakRssMb, 1),
                ["llm_requests_per_edit"] = Round(requestsPerEdit, 3),
                ["prompt_tokens_per_edit"] = Round((double)saturation.Llm.PromptTokens / saturation.Edits, 1),
                ["completion_tokens_per_request"] = Round(saturation.Llm.MeanCompletionTokens, 1),
                ["cached_token_ratio"] = Round((double)saturation.Llm.CachedPromptTokens / saturation.Llm.PromptTokens, 3),
                ["prefix_cache_hit_ratio"] = Round(prefix, 3),
                ["mw_requests_per_edit"] = Round((double)saturation.WikiRequests / saturation.Edits, 3),
            },
            ["capacity_model"] = new Dictionary<string, object>
            {
                ["max_num_seqs"] = _model.Options.MaxNumSeqs,
                ["prefill_tokens_per_s"] = _model.Options.PrefillTokensPerSecond,
                ["decode_step_ms"] = _model.Options.DecodeStepTime.TotalMilliseconds,
                ["decode_slowdown_per_sequence"] = Round(_model.Options.DecodeSlowdownPerSequence, 5),
                ["max_batched_tokens"] = _model.Options.MaxBatchedTokens,
                ["single_200_100_request_s"] = Round(_model.SingleRequestTime(200, 100).TotalSeconds, 3),
            },
            ["worker_settings"] = new Dictionary<string, object>
            {
                ["Safeguard:Llm:MaxConcurrency"] = _model.Options.MaxNumSeqs,
                ["Safeguard:Llm:InitialConcurrency"] = InitialConcurrency,
                ["Safeguard:MediaWiki:RequestsPerSecondPerWiki"] = 1000,
                ["policies"] = policiesDirectory,
            },
        };
    }

    /// <summary>
    /// One worker process: <paramref name="warmup"/> edits first (offered at once, not measured: a long-running worker
    /// has long finished compiling its hot paths — ~17,000 methods — before it is measured), then
    /// <paramref name="count"/> edits on <paramref name="schedule"/>.
    /// </summary>
    private async Task<Phase> RunPhaseAsync(int count, Func<int, TimeSpan> schedule, Dictionary<string, string?> overrides, CancellationToken ct, int warmup = 0)
    {
        var phase = ++_phase;
        var warmTotal = warmup + (ExtraWarmupBatches * (warmup / 2));
        var warm = new BenchEdits(Math.Max(1, warmTotal), _nextRevId);
        _nextRevId += warmTotal + 1000;
        var edits = new BenchEdits(count, _nextRevId);
        _nextRevId += count + 1000;
        var name = "bench" + phase.ToString(CultureInfo.InvariantCulture);
        var database = await _postgres.CreateDatabaseAsync(name, ct);
        var topic = $"verdicts.{name}";
        var restricted = $"verdicts-restricted.{name}";
        var deadLetters = $"dead-letters.{name}";
        _kafka.CreateTopic(topic, partitions: 2);
        _kafka.CreateTopic(restricted, partitions: 1);
        _kafka.CreateTopic(deadLetters, partitions: 1);
        for (var i = 0; i < count; i++)
        {
            _wiki.AddFixture(edits.Fixture(i));
        }

        for (var i = 0; i < warmTotal; i++)
        {
            _wiki.AddFixture(warm.Fixture(i));
        }

        await using var sse = await SseReplayServer.StartAsync(new SseReplayServerOptions { EndStreamAtEof = false }, ct: ct);
        var settings = new Dictionary<string, string?>
        {
            ["Safeguard:Source:Kind"] = "EventStreams",
            ["Safeguard:Source:Url"] = sse.StreamUrl("mediawiki.page_change.v1").ToString(),
            ["Safeguard:Source:StallTimeout"] = "00:00:30",
            ["Safeguard:Source:ReconnectMaxDelay"] = "00:00:00.500",
            ["Safeguard:Postgres:ConnectionString"] = database,
            ["Safeguard:Kafka:BootstrapServers"] = _kafka.BootstrapServers,
            ["Safeguard:Kafka:Topic"] = topic,
            ["Safeguard:Kafka:RestrictedTopic"] = restricted,
            ["Safeguard:Kafka:DeadLetterTopic"] = deadLetters,
            ["Safeguard:Llm:Endpoint"] = _llm.BaseUrl.ToString(),
            ["Safeguard:Llm:MaxConcurrency"] = _model.Options.MaxNumSeqs.ToString(CultureInfo.InvariantCulture),
            ["Safeguard:Llm:InitialConcurrency"] = InitialConcurrency.ToString(CultureInfo.InvariantCulture),
            ["Safeguard:MediaWiki:ApiUrlTemplate"] = _wiki.ApiUrlTemplateString,
            // The per-wiki politeness limit (default 10/s) is for real wikis; the fixture server is local.
            ["Safeguard:MediaWiki:RequestsPerSecondPerWiki"] = "1000",
            ["Safeguard:Policies:Directory"] = policiesDirectory,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        await WorkerRun.RunToExitAsync(worker, ["db", "migrate"], settings, ct);
        using var tap = new VerdictTap(_kafka.BootstrapServers, [(topic, 2), (restricted, 1)]);
        await using var run = WorkerRun.Start(worker, ["run"], settings);
        await run.WaitAliveAsync(TimeSpan.FromSeconds(60), ct);
        var fed = 0;
        if (warmup > 0)
        {
            // Warm until the runtime stops compiling: the first `warmup` edits, then further batches while tiered JIT
            // still compiles more than a few methods per batch (it re-compiles hot methods with profile data long after
            // start), so the measured edits pay for themselves and not for the compiler.
            var compiled = double.NaN;
            for (var batch = 0; batch <= ExtraWarmupBatches; batch++)
            {
                var size = batch == 0 ? warmup : warmup / 2;
                for (var i = fed; i < fed + size; i++)
                {
                    sse.AppendEvent(warm.Event(i, TimeProvider.System.GetUtcNow()));
                }

                fed += size;
                var warming = Stopwatch.StartNew();
                while (tap.CompletedEdits().Count < fed)
                {
                    if (run.HasExited || warming.Elapsed > TimeSpan.FromMinutes(4))
                    {
                        throw new InvalidOperationException($"only {tap.CompletedEdits().Count} of {fed} warm-up edits reached Kafka:\n{run.Tail}");
                    }

                    await Task.Delay(50, ct);
                }

                await Task.Delay(1000, ct);
                var now = CounterValue(await run.ScrapeMetricsAsync(ct), "dotnet_jit_compiled_methods_total");
                var settled = now - compiled < SettledJitMethods;
                await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"bench: warm-up {fed} edits, {now:0} methods compiled (+{now - compiled:0})"));
                compiled = now;
                if (settled)
                {
                    break;
                }
            }

            if (Environment.GetEnvironmentVariable("SAFEGUARD_BENCH_PROFILE") == "1")
            {
                // scripts/profile.sh attaches its sampling profiler to this warm worker, then the measured edits start.
                await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"bench: warm worker pid {run.ProcessId}"));
                await Task.Delay(TimeSpan.FromSeconds(5), ct);
            }
        }

        // The runtime's own count of time spent compiling (tiered JIT keeps re-compiling hot methods well after start),
        // so the cost can be told apart from the edits' own work.
        var startedJit = CounterValue(await run.ScrapeMetricsAsync(ct), "dotnet_jit_compilation_time_seconds_total");
        var startedCpu = run.CpuSecondsTotal;
        _model.ResetStats();
        var capturedBefore = _llm.CapturedRequests.Count;
        var wikiBefore = _wiki.RequestCount;

        var emitted = new long[count];
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var due = schedule(i) - Stopwatch.GetElapsedTime(start);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, ct);
            }

            emitted[i] = Stopwatch.GetTimestamp();
            sse.AppendEvent(edits.Event(i, TimeProvider.System.GetUtcNow()));
        }

        var deadline = Stopwatch.StartNew();
        var firstRev = edits.RevId(0);
        List<(long RevId, long Timestamp)> Measured() => [.. tap.CompletedEdits().Where(c => c.RevId >= firstRev && c.RevId < firstRev + count)];
        while (Measured().Count < count)
        {
            if (run.HasExited || deadline.Elapsed > TimeSpan.FromMinutes(4))
            {
                throw new InvalidOperationException($"only {Measured().Count} of {count} edits reached Kafka:\n{run.Tail}");
            }

            await Task.Delay(50, ct);
        }

        await Task.Delay(500, ct); // the last batch's other partitions
        var end = Stopwatch.GetTimestamp();
        var metrics = await run.ScrapeMetricsAsync(ct);
        var llm = _model.Snapshot();
        var requests = _llm.CapturedRequests.Skip(capturedBefore).ToList();
        var wikiRequests = _wiki.RequestCount - wikiBefore;
        var completions = Measured();
        var endToEnd = tap.Arrivals()
            .Where(a => a.RevId >= firstRev && a.RevId < firstRev + count)
            .Select(a => Stopwatch.GetElapsedTime(emitted[a.RevId - firstRev], a.Timestamp).TotalMilliseconds)
            .ToList();

        // Steady state: from the 20th to the 90th percentile of edit completions (no ramp-up, no tail).
        var i20 = (int)Math.Ceiling(0.2 * count) - 1;
        var i90 = (int)Math.Ceiling(0.9 * count) - 1;
        var t20 = completions[i20].Timestamp;
        var t90 = completions[i90].Timestamp;
        var steadySeconds = Stopwatch.GetElapsedTime(t20, t90).TotalSeconds;
        var steadyRate = steadySeconds > 0 ? (i90 - i20) / steadySeconds : double.NaN;
        var steadyCpu = i90 > i20 ? (run.CpuSecondsAt(t90) - run.CpuSecondsAt(t20)) * 1000 / (i90 - i20) : double.NaN;
        var totalCpu = (run.CpuSecondsAt(end) - startedCpu) * 1000 / count;
        var peak = run.PeakRssMb;
        var seconds = Stopwatch.GetElapsedTime(start, completions[^1].Timestamp).TotalSeconds;
        var jitSeconds = CounterValue(metrics, "dotnet_jit_compilation_time_seconds_total") - startedJit;
        return new Phase(count, seconds, steadyRate, steadyCpu, totalCpu, peak, endToEnd, llm, requests, wikiRequests, metrics, jitSeconds, fed);
    }

    /// <summary>
    /// Cached tokens over the tokens of each request's stable prefix (vLLM's harmony preamble + the policy message),
    /// summed over the requests after the first per policy: 1.0 means every repeat of a policy prefilled only its edit.
    /// Prefix lengths are counted with the simulator's tokenizer, as the simulator counts them.
    /// </summary>
    private static double PrefixCache(List<string> requests, long cachedTokens)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long stable = 0;
        foreach (var body in requests)
        {
            using var doc = JsonDocument.Parse(body);
            var effort = doc.RootElement.TryGetProperty("reasoning_effort", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString()! : "medium";
            var first = doc.RootElement.GetProperty("messages")[0];
            var role = first.GetProperty("role").GetString()!;
            var text = first.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "";
            // The date only changes digits, which the simulated tokenizer counts one each: any date gives the same count.
            var tokens = SimulatedHarmonyPrompt.Render(effort, DateOnly.FromDayNumber(0), [new SimulatedChatMessage(role, text)]).PrefixTokens;
            if (!seen.Add(effort + "\u0000" + text))
            {
                stable += tokens;
            }
        }

        return stable == 0 ? double.NaN : (double)cachedTokens / stable;
    }

    internal static double Percentile(List<double> values, double q)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        var rank = q * (sorted.Count - 1);
        var lo = (int)Math.Floor(rank);
        var hi = (int)Math.Ceiling(rank);
        return sorted[lo] + ((rank - lo) * (sorted[hi] - sorted[lo]));
    }

    /// <summary>
    /// A quantile from a Prometheus histogram (summed over series, optionally only those whose labels contain
    /// <paramref name="labelValue"/>), interpolated linearly inside the bucket as Prometheus' histogram_quantile does.
    /// </summary>
    internal static double HistogramQuantile(string metrics, string name, string? labelValue, double q)
    {
        var buckets = new SortedDictionary<double, double>();
        foreach (var line in metrics.Split('\n'))
        {
            if (!line.StartsWith(name + "_bucket{", StringComparison.Ordinal) ||
                (labelValue is not null && !line.Contains($"\"{labelValue}\"", StringComparison.Ordinal)))
            {
                continue;
            }

            var le = line.IndexOf("le=\"", StringComparison.Ordinal) + 4;
            var bound = line[le..line.IndexOf('"', le)];
            var upper = bound == "+Inf" ? double.PositiveInfinity : double.Parse(bound, CultureInfo.InvariantCulture);
            var value = double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            buckets[upper] = buckets.GetValueOrDefault(upper) + value;
        }

        if (buckets.Count == 0 || buckets.Last().Value == 0)
        {
            return double.NaN;
        }

        var target = q * buckets.Last().Value;
        double lower = 0, below = 0;
        foreach (var (upper, cumulative) in buckets)
        {
            if (cumulative >= target)
            {
                return double.IsPositiveInfinity(upper) ? lower : lower + ((upper - lower) * (target - below) / Math.Max(1e-9, cumulative - below));
            }

            lower = upper;
            below = cumulative;
        }

        return lower;
    }

    /// <summary>A Prometheus counter's value, summed over its series; NaN when the exposition lacks it.</summary>
    internal static double CounterValue(string metrics, string name)
    {
        var values = metrics.Split('\n')
            .Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal))
            .Select(line => double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture))
            .ToList();
        return values.Count == 0 ? double.NaN : values.Sum();
    }

    private static double Round(double value, int digits) => double.IsFinite(value) ? Math.Round(value, digits) : value;
}
