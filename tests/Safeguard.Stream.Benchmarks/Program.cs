using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Safeguard.Stream.Benchmarks;
using Safeguard.Stream.Core.Events;
using Safeguard.Stream.Core.Policies;
using Safeguard.Stream.Core.Routing;

// safeguard-bench [EVENTS] [RESULTS] [WIKI_API] [--worker PATH] [--policies DIR] [--quick]
// Ingest: parse + canary/dedupe + route over the demo sample, repeated, on one thread. Enrich: MediaWiki API cost.
// Saturation, latency and cost: the real worker process against the simulator's capacity model (PipelineBenchmark);
// skipped when no --worker is given.
var positional = new List<string>();
string? worker = null;
var policiesDir = "policies";
var quick = false;
for (var a = 0; a < args.Length; a++)
{
    switch (args[a])
    {
        case "--worker": worker = args[++a]; break;
        case "--policies": policiesDir = args[++a]; break;
        case "--quick": quick = true; break;
        default: positional.Add(args[a]); break;
    }
}

var events = positional.Count > 0 ? positional[0] : "tests/data/demo/events.jsonl";
var output = positional.Count > 1 ? positional[1] : "artifacts/bench/results.json";
var wikiApi = positional.Count > 2 ? positional[2] : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(events))!, "wiki-api.jsonl");
var benchStarted = Stopwatch.StartNew();
var payloads = File.ReadAllLines(events).Where(l => l.Trim().Length > 0).Select(Encoding.UTF8.GetBytes).ToArray();
var policies = new[] { new Policy { Id = "spam", Version = 1, Title = "Spam", Body = "b" } };
var router = new EditRouter(new FilterOptions(), policies);

const int Rounds = 400;
Run(payloads, router, 20); // warm-up: JIT and tiered compilation
var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
var stopwatch = Stopwatch.StartNew();
var (routed, skipped, dead) = Run(payloads, router, Rounds);
stopwatch.Stop();
var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
var total = (long)payloads.Length * Rounds;
var eventsPerSecond = total / stopwatch.Elapsed.TotalSeconds;

var results = new Dictionary<string, object>
{
    ["ingest"] = new Dictionary<string, object>
    {
        ["events"] = total,
        ["seconds"] = Math.Round(stopwatch.Elapsed.TotalSeconds, 3),
        ["events_per_s"] = Math.Round(eventsPerSecond),
        ["allocated_bytes_per_event"] = allocated / total,
        ["routed"] = routed,
        ["skipped"] = skipped,
        ["dead_lettered"] = dead,
    },
    ["machine"] = new Dictionary<string, object>
    {
        ["cores"] = Environment.ProcessorCount,
        ["runtime"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
        ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        ["cpu"] = CpuModel(),
    },
};
// Enrichment: MediaWiki API requests and response bytes per classified edit (and the alternatives weighed in the README).
var enrich = await EnrichBenchmark.RunAsync(events, wikiApi);
results["enrich"] = enrich;

// Pre-screen: model requests saved on the real labeled dev set, and labeled vandalism skipped (must be 0).
var prescreen = await PreScreenBenchmark.RunAsync(
    Path.Combine(Path.GetDirectoryName(Path.GetFullPath(events))!, "..", "eval", "cluebotng_enwiki_dev.jsonl"), policiesDir);
results["prescreen"] = prescreen;

// Reading the model's answers: the logprobs are most of what the worker does per edit (issue 17).
var answerRead = await AnswerReadBenchmark.RunAsync(policiesDir, new Safeguard.Stream.Classification.Llm.LlmOptions().TopLogProbabilities, CancellationToken.None);
results["answer_read"] = answerRead;
if (worker is not null)
{
    var sizes = quick
        ? new PipelineBenchmark.Sizes(SaturationEdits: 120, SequentialEdits: 3, LatencyDuration: TimeSpan.FromSeconds(15), VolumeEdits: 400, VolumeWarmupEdits: 200)
        : new PipelineBenchmark.Sizes(SaturationEdits: 500, SequentialEdits: 6, LatencyDuration: TimeSpan.FromSeconds(45), VolumeEdits: 2_000, VolumeWarmupEdits: 500);
    await using var bench = new PipelineBenchmark(Path.GetFullPath(worker), Path.GetFullPath(policiesDir), sizes);
    var pipeline = await bench.RunAsync(CancellationToken.None);
    foreach (var (key, value) in pipeline)
    {
        results[key] = value;
    }
}

results["bench_seconds"] = Math.Round(benchStarted.Elapsed.TotalSeconds, 1);
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
File.WriteAllText(output, JsonSerializer.Serialize(results, new JsonSerializerOptions
{
    WriteIndented = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
}));

Console.WriteLine("benchmark   metric                      value");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ingest      events_per_s           {eventsPerSecond,12:N0}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ingest      allocated_bytes/event  {allocated / total,12:N0}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ingest      events                 {total,12:N0}"));
var alternatives = (Dictionary<string, object>)enrich["alternatives"];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"enrich      classified_edits       {enrich["classified_edits"],12:N0}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"enrich      api_requests/edit      {enrich["requests_per_classified_edit"],12:N3}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"enrich      response_bytes/edit    {enrich["response_bytes_per_classified_edit"],12:N0}"));
foreach (var (name, value) in alternatives)
{
    var row = (Dictionary<string, object>)value;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"enrich      {name,-38} requests {row["requests"],6:N0}  bytes {row["bytes"],12:N0}"));
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"prescreen   requests_saved_ratio   {prescreen["requests_saved_ratio"],12:N4}  ({prescreen["requests_with"]} of {prescreen["requests_without"]} requests sent)"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"prescreen   positives_skipped      {prescreen["positives_skipped"],12:N0}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"answer_read us_per_answer          {answerRead["us_per_answer"],12:N2}  (read {answerRead["read_us_per_answer"]}, verdict {answerRead["verdict_us_per_answer"]}, probability {answerRead["probability_us_per_answer"]}; {answerRead["allocated_bytes_per_answer"]:N0} B allocated, {answerRead["body_bytes_mean"]:N0} B body, top_logprobs={answerRead["top_logprobs"]})"));
foreach (var scenario in new[] { "saturation", "latency", "cost" })
{
    if (results.GetValueOrDefault(scenario) is Dictionary<string, object> rows)
    {
        foreach (var (name, value) in rows)
        {
            var text = value is double d ? d.ToString("#,##0.###", CultureInfo.InvariantCulture) : Convert.ToString(value, CultureInfo.InvariantCulture);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{scenario,-11} {name,-30} {text,14}"));
        }
    }
}

Console.WriteLine($"wrote {output} ({benchStarted.Elapsed.TotalSeconds:0} s)");
return 0;

static string CpuModel()
{
    try
    {
        var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line is null ? "unknown" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }
    catch (IOException)
    {
        return "unknown";
    }
}

static (long Routed, long Skipped, long Dead) Run(byte[][] payloads, EditRouter router, int rounds)
{
    long routed = 0, skipped = 0, dead = 0;
    for (var round = 0; round < rounds; round++)
    {
        // A fresh window per round, so every round does the same work as the first. Sized to the round: a 100,000-entry
        // window per round allocated ~2.9 MB (on the large-object heap) per 257 events, which the worker does once.
        var dedupe = new DedupeWindow(payloads.Length);
        foreach (var payload in payloads)
        {
            // As the routing stage does: the payload parsed in place, not copied.
            var parsed = EventParser.ParsePayload(payload);
            if (parsed.IsCanary)
            {
                skipped++;
            }
            else if (parsed.Event is not { } edit)
            {
                dead++;
            }
            else if (edit.Kind != EditKind.Other && !dedupe.TryAdd(edit.WikiId, edit.RevId))
            {
                skipped++;
            }
            else if (router.Route(edit).IsSkipped)
            {
                skipped++;
            }
            else
            {
                routed++;
            }
        }
    }

    return (routed, skipped, dead);
}
