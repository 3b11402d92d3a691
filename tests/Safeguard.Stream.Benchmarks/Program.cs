using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Safeguard.Stream.Benchmarks;
using Safeguard.Stream.Core.Events;
using Safeguard.Stream.Core.Policies;
using Safeguard.Stream.Core.Routing;

// Ingest benchmark: parse + canary/dedupe + route over the demo sample, repeated, on one thread.
// More scenarios (saturation against the simulator's capacity model, latency, cost) come with the performance issue.
var events = args.Length > 0 ? args[0] : "tests/data/demo/events.jsonl";
var output = args.Length > 1 ? args[1] : "artifacts/bench/results.json";
var wikiApi = args.Length > 2 ? args[2] : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(events))!, "wiki-api.jsonl");
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
    },
};
// Enrichment: MediaWiki API requests and response bytes per classified edit (and the alternatives weighed in the README).
var enrich = await EnrichBenchmark.RunAsync(events, wikiApi);
results["enrich"] = enrich;
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
File.WriteAllText(output, JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));

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

Console.WriteLine($"wrote {output}");
return 0;

static (long Routed, long Skipped, long Dead) Run(byte[][] payloads, EditRouter router, int rounds)
{
    long routed = 0, skipped = 0, dead = 0;
    for (var round = 0; round < rounds; round++)
    {
        // A fresh window per round, so every round does the same work as the first.
        var dedupe = new DedupeWindow(100_000);
        foreach (var payload in payloads)
        {
            var parsed = EventParser.Parse(payload);
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
