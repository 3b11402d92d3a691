using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Safeguard.Stream.Core.Events;
using Safeguard.Stream.Core.Policies;
using Safeguard.Stream.Core.Routing;
using Safeguard.Stream.Core.Telemetry;
using Safeguard.Stream.Fakes;
using Safeguard.Stream.MediaWiki;

namespace Safeguard.Stream.Benchmarks;

/// <summary>
/// MediaWiki API cost of enrichment over the demo sample: every routed edit goes through the worker's own
/// <see cref="MediaWikiClient"/> (same wiring, same requests) to the fixture server, which answers from the recorded and
/// constructed responses in <c>tests/data/demo/wiki-api.jsonl</c>. Requests and response bytes are read from the
/// client's metrics (<c>safeguard.stream.wiki_api.*</c>), so retries and misses count as they would live.
/// Two alternatives are set beside it: creations fetched in one <c>revids</c> batch per wiki (measured against the same
/// server), and content-plus-local-diff for edits (parent and new revision content in batches of 50 revids; estimated
/// from the events' <c>rev_size</c>, since the sample holds no full page texts).
/// </summary>
internal static class EnrichBenchmark
{
    private const int RevIdsPerRequest = 50;

    public static async Task<Dictionary<string, object>> RunAsync(string eventsPath, string wikiApiPath)
    {
        var edits = Route(eventsPath);
        await using var server = await WikiApiFixtureServer.StartAsync(new WikiApiFixtureServerOptions { FixturesPath = wikiApiPath });
        var builder = Host.CreateEmptyApplicationBuilder(null);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Safeguard:MediaWiki:ApiUrlTemplate"] = server.ApiUrlTemplateString,
            ["Safeguard:MediaWiki:MissingRevisionDelay"] = "00:00:00.001",
            ["Safeguard:MediaWiki:RequestsPerSecondPerWiki"] = "1000",
        });
        builder.AddSafeguardMediaWiki();
        using var host = builder.Build();
        var client = host.Services.GetRequiredService<MediaWikiClient>();

        var requests = new Dictionary<string, long>(StringComparer.Ordinal);
        var bytes = new Dictionary<string, long>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == SafeguardTelemetry.Name && instrument.Name.StartsWith("safeguard.stream.wiki_api.", StringComparison.Ordinal))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var action = "unknown";
            foreach (var tag in tags)
            {
                if (tag.Key == SafeguardTelemetry.Tags.ApiAction)
                {
                    action = tag.Value as string ?? action;
                }
            }

            var target = instrument.Name.EndsWith(".requests", StringComparison.Ordinal) ? requests : bytes;
            target[action] = target.GetValueOrDefault(action) + value;
        });
        listener.Start();

        var classified = 0;
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var truncated = 0;
        foreach (var edit in edits)
        {
            var result = await client.GetDiffAsync(edit, CancellationToken.None);
            var outcome = result.Diff is not null ? "diff" : result.SkipReason ?? result.FailureReason ?? "unknown";
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            classified += result.Diff is null ? 0 : 1;
            truncated += result.Diff is { Truncated: true } ? 1 : 0;
        }

        listener.Dispose();
        var totalRequests = requests.Values.Sum();
        var totalBytes = bytes.Values.Sum();
        var creations = edits.Where(e => e.ParentRevId is null or 0).ToList();
        var batched = await BatchedCreationsAsync(server, creations);
        var localDiff = ContentPlusLocalDiffEstimate(edits.Where(e => e.ParentRevId is > 0).ToList(), creations, bytes.GetValueOrDefault("query"), requests.GetValueOrDefault("query"));

        return new Dictionary<string, object>
        {
            ["edits_routed"] = edits.Count,
            ["classified_edits"] = classified,
            ["outcomes"] = outcomes,
            ["truncated_to_token_budget"] = truncated,
            ["requests"] = totalRequests,
            ["response_bytes"] = totalBytes,
            ["requests_per_classified_edit"] = Math.Round((double)totalRequests / Math.Max(1, classified), 3),
            ["response_bytes_per_classified_edit"] = Math.Round((double)totalBytes / Math.Max(1, classified)),
            ["by_action"] = requests.Keys.Order(StringComparer.Ordinal).ToDictionary(k => k, k => new Dictionary<string, long> { ["requests"] = requests[k], ["bytes"] = bytes.GetValueOrDefault(k) }),
            ["alternatives"] = new Dictionary<string, object>
            {
                ["creations_one_request_each"] = new Dictionary<string, object> { ["creations"] = creations.Count, ["requests"] = requests.GetValueOrDefault("query"), ["bytes"] = bytes.GetValueOrDefault("query") },
                ["creations_batched_per_wiki"] = batched,
                ["edits_content_plus_local_diff_estimate"] = localDiff,
                ["edits_compare"] = new Dictionary<string, object> { ["edits"] = edits.Count - creations.Count, ["requests"] = requests.GetValueOrDefault("compare"), ["bytes"] = bytes.GetValueOrDefault("compare") },
            },
        };
    }

    /// <summary>The demo's routed edits, as the pipeline routes them (default filters, one policy that applies everywhere).</summary>
    private static List<EditEvent> Route(string eventsPath)
    {
        var router = new EditRouter(new FilterOptions(), [new Policy { Id = "spam", Version = 1, Title = "Spam", Body = "b" }]);
        var dedupe = new DedupeWindow(100_000);
        var edits = new List<EditEvent>();
        foreach (var line in File.ReadLines(eventsPath).Where(l => l.Trim().Length > 0))
        {
            var parsed = EventParser.Parse(Encoding.UTF8.GetBytes(line));
            if (parsed.IsCanary || parsed.Event is not { } edit || edit.Kind == EditKind.Other || !dedupe.TryAdd(edit.WikiId, edit.RevId))
            {
                continue;
            }

            if (!router.Route(edit).IsSkipped)
            {
                edits.Add(edit);
            }
        }

        return edits;
    }

    /// <summary>One <c>prop=revisions&amp;revids=a|b|…</c> request per wiki and 50 creations, sent to the same server.</summary>
    private static async Task<Dictionary<string, object>> BatchedCreationsAsync(WikiApiFixtureServer server, List<EditEvent> creations)
    {
        using var http = new HttpClient();
        long requests = 0, bytes = 0;
        foreach (var wiki in creations.GroupBy(e => e.Domain))
        {
            foreach (var chunk in wiki.Chunk(RevIdsPerRequest))
            {
                var revids = string.Join("%7C", chunk.Select(e => e.RevId.ToString(CultureInfo.InvariantCulture)));
                var url = server.ApiUrlTemplateString.Replace("{domain}", wiki.Key, StringComparison.Ordinal) +
                          $"?action=query&prop=revisions&revids={revids}&rvprop=ids%7Cuser%7Ccomment%7Ccontent&rvslots=main&format=json&formatversion=2&maxlag=5";
                var body = await http.GetByteArrayAsync(new Uri(url));
                requests++;
                bytes += body.Length;
            }
        }

        return new Dictionary<string, object> { ["creations"] = creations.Count, ["requests"] = requests, ["bytes"] = bytes };
    }

    /// <summary>
    /// Parent and new revision content of every edit in batches of 50 revids per wiki (the best case: the whole
    /// 20-minute sample batched at once, no latency limit), bytes = page sizes + the per-revision JSON overhead measured
    /// on the creation responses.
    /// </summary>
    private static Dictionary<string, object> ContentPlusLocalDiffEstimate(List<EditEvent> edits, List<EditEvent> creations, long queryBytes, long queryRequests)
    {
        var contentBytes = creations.Sum(e => e.NewSize ?? 0);
        var overheadPerRevision = creations.Count == 0 || queryRequests == 0 ? 300 : Math.Max(0, (queryBytes - contentBytes) / Math.Max(1, queryRequests));
        var sized = edits.Where(e => e.NewSize is not null && e.OldSize is not null).ToList();
        var requests = edits.GroupBy(e => e.Domain).Sum(g => (int)Math.Ceiling(2.0 * g.Count() / RevIdsPerRequest));
        var bytes = sized.Sum(e => e.NewSize!.Value + e.OldSize!.Value + (2 * overheadPerRevision));
        return new Dictionary<string, object>
        {
            ["edits"] = edits.Count,
            ["edits_with_sizes"] = sized.Count,
            ["requests"] = requests,
            ["bytes"] = bytes,
            ["overhead_bytes_per_revision"] = overheadPerRevision,
            ["note"] = "estimate: page sizes from the events (rev_size, prior_state rev_size) plus measured JSON overhead; perfect batching assumed",
        };
    }
}
