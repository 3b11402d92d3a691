using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using Safeguard.Stream.Core.Events;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.Core.Routing;
using Safeguard.Stream.Core.Telemetry;
using Safeguard.Stream.Fakes;

namespace Safeguard.Stream.MediaWiki.Tests;

/// <summary>
/// The enrichment stage against the wiki API fixture server on loopback (real HTTP, the worker's own wiring): each
/// fault the issue names, with the outcome the edit ends in and the counters that show it.
/// </summary>
public sealed class EnrichmentStageTests
{
    private const string Domain = "en.wikipedia.org";
    private const long Parent = 913912176;
    private const long Rev = 920429244;

    private static readonly string s_recordedCompare = RecordedApiHandler.Recorded("wikimedia/api/enwiki.compare.fromrev-920429244.torelative-prev.recorded.json");

    private sealed record Run(
        IReadOnlyList<EnrichedEdit> Enriched,
        IReadOnlyList<PipelineResult> Results,
        WikiApiFixtureServer Server,
        MetricCollector<long> Requests,
        MetricCollector<long> Skipped,
        MetricCollector<long> DeadLettered,
        FakeLogCollector Logs,
        TimeSpan Elapsed);

    private static string CompareFixture(string domain, long from, long to, string body) =>
        new JsonObject { ["domain"] = domain, ["action"] = "compare", ["fromrev"] = from, ["torev"] = to, ["status"] = 200, ["body"] = JsonNode.Parse(body) }.ToJsonString();

    private static string QueryFixture(string domain, long revid, string body) =>
        new JsonObject { ["domain"] = domain, ["action"] = "query", ["revids"] = new JsonArray(revid), ["status"] = 200, ["body"] = JsonNode.Parse(body) }.ToJsonString();

    private static EditEvent Edit(string domain = Domain, long rev = Rev, long? parent = Parent) => new()
    {
        SchemaUri = "/mediawiki/page/change/1.2.0",
        Stream = "mediawiki.page_change.v1",
        Domain = domain,
        WikiId = "enwiki",
        RevId = rev,
        ParentRevId = parent,
        Kind = parent is null ? EditKind.Create : EditKind.Edit,
        SourceKind = "edit",
        PageTitle = "Ishiyama_Hongan-ji",
        Namespace = 0,
        EventTime = DateTimeOffset.UnixEpoch,
    };

    /// <summary>
    /// Starts the fixture server and the stage, feeds <paramref name="edits"/>, and waits until each has an outcome;
    /// with a <paramref name="clock"/>, the stage's delays run on it and it is moved through each outage backoff.
    /// </summary>
    private static async Task<Run> CreateSutAndRunAsync(
        WikiApiFixtureServerOptions serverOptions, IEnumerable<string> fixtures, List<EditEvent> edits, Dictionary<string, string?>? settings = null,
        BackoffClock? clock = null)
    {
        var ct = TestContext.Current.CancellationToken;
        var server = await WikiApiFixtureServer.StartAsync(serverOptions, ct: ct);
        foreach (var fixture in fixtures)
        {
            server.AddFixture(fixture);
        }

        var all = new Dictionary<string, string?>(settings ?? []) { ["Safeguard:MediaWiki:ApiUrlTemplate"] = server.ApiUrlTemplateString };
        using var host = MediaWikiTestHost.Create(all, stage: true, time: clock);
        var meters = host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        var requests = MediaWikiTestHost.Requests(host);
        var skipped = new MetricCollector<long>(meters, SafeguardTelemetry.Name, "safeguard.stream.events.skipped");
        var dead = new MetricCollector<long>(meters, SafeguardTelemetry.Name, "safeguard.stream.events.dead_lettered");
        var channels = host.Services.GetRequiredService<PipelineChannels>();
        var started = TimeProvider.System.GetTimestamp();
        await host.StartAsync(ct);

        for (var i = 0; i < edits.Count; i++)
        {
            var source = new SourceEvent(i + 1, "test", null, ReadOnlyMemory<byte>.Empty);
            await channels.Routed.Writer.WriteAsync(new RoutedEdit(source, edits[i], []), ct);
        }

        channels.Routed.Writer.Complete();
        var enriched = new List<EnrichedEdit>();
        var collect = Task.Run(async () =>
        {
            await foreach (var item in channels.Enriched.Reader.ReadAllAsync(ct))
            {
                enriched.Add(item);
            }
        }, ct);
        await (clock is null ? collect : clock.DriveAsync(collect, ct));

        // The stage completes Enriched after its last item; everything else is already in Results.
        var results = new List<PipelineResult>();
        while (channels.Results.Reader.TryRead(out var result))
        {
            results.Add(result);
        }

        var elapsed = TimeProvider.System.GetElapsedTime(started);
        await host.StopAsync(ct);
        Assert.Equal(edits.Count, enriched.Count + results.Count); // every edit ends in exactly one outcome
        return new Run(enriched, results, server, requests, skipped, dead, host.Services.GetFakeLogCollector(), elapsed);
    }

    private static long Total(MetricCollector<long> collector, string reason) =>
        collector.GetMeasurementSnapshot().Where(m => Equals(m.Tags[SafeguardTelemetry.Tags.Reason], reason)).Sum(m => m.Value);

    [Fact]
    public async Task Enrich_MaxlagWithRetryAfter_WaitsThenClassifiesTheDiff()
    {
        var run = await CreateSutAndRunAsync(
            new WikiApiFixtureServerOptions { MaxlagErrorsBeforeSuccess = 1 },
            [CompareFixture(Domain, Parent, Rev, s_recordedCompare)],
            [Edit()],
            new() { ["Safeguard:MediaWiki:MaxRetryAfter"] = "00:00:01" });
        await using var server = run.Server;

        var enriched = Assert.Single(run.Enriched);
        Assert.Equal(["[[Category:1490s establishments in Japan]]"], enriched.Diff.Added);
        Assert.Equal(2, server.RequestCount);
        Assert.All(server.Requests, r => Assert.Contains("maxlag=5", r, StringComparison.Ordinal));
        // The server asked for Retry-After: 6 s (max(lag, 5)); the wait is capped at MaxRetryAfter = 1 s, not the 10 ms backoff.
        Assert.True(run.Elapsed >= TimeSpan.FromMilliseconds(950), run.Elapsed.ToString());
        Assert.Equal(1, run.Requests.Count("maxlag"));
        Assert.Equal(1, run.Requests.Count("ok"));
    }

    [Fact]
    public async Task Enrich_Http429WithRetryAfter_WaitsThenClassifiesTheDiff()
    {
        var run = await CreateSutAndRunAsync(
            new WikiApiFixtureServerOptions { Http429Count = 1, Http429RetryAfterSeconds = 1 },
            [CompareFixture(Domain, Parent, Rev, s_recordedCompare)],
            [Edit()],
            new() { ["Safeguard:MediaWiki:MaxRetryAfter"] = "00:00:05" });
        await using var server = run.Server;

        Assert.Single(run.Enriched);
        Assert.Equal(2, server.RequestCount);
        Assert.True(run.Elapsed >= TimeSpan.FromMilliseconds(950), run.Elapsed.ToString()); // Retry-After: 1
        Assert.Equal(1, run.Requests.Count("throttled"));
        Assert.Equal(1, run.Requests.Count("ok"));
    }

    [Fact]
    public async Task Enrich_Http500ThenSuccess_RetriesThenClassifiesTheDiff()
    {
        var run = await CreateSutAndRunAsync(
            new WikiApiFixtureServerOptions { Http500Count = 2 },
            [CompareFixture(Domain, Parent, Rev, s_recordedCompare)],
            [Edit()]);
        await using var server = run.Server;

        Assert.Single(run.Enriched);
        Assert.Equal(3, server.RequestCount);
        Assert.Equal(2, run.Requests.Count("server_error"));
        Assert.Equal(1, run.Requests.Count("ok"));
    }

    /// <summary>
    /// Settings for the outage tests on a <see cref="BackoffClock"/>: no HTTP retries and HTTP timeouts beyond the
    /// backoff's range, so the only waits are the stage's outage backoff.
    /// </summary>
    private static Dictionary<string, string?> OutageSettings(string outageWait) => new()
    {
        ["Safeguard:MediaWiki:MaxRetries"] = "0",
        ["Safeguard:MediaWiki:OutageWait"] = outageWait,
        ["Safeguard:MediaWiki:AttemptTimeout"] = "00:05:00",
        ["Safeguard:MediaWiki:TotalTimeout"] = "00:30:00",
        ["Safeguard:MediaWiki:BreakerSamplingDuration"] = "00:10:00",
    };

    private static List<TimeSpan> HoldBackoffs(Run run) =>
        [.. run.Logs.GetSnapshot().Where(r => r.Id.Id == 2103).Select(r => TimeSpan.Parse(r.GetStructuredStateValue("Backoff")!, System.Globalization.CultureInfo.InvariantCulture))];

    [Fact]
    public async Task Enrich_WikiDownLongerThanTheRetries_HoldsTheEditAndClassifiesItWhenBack()
    {
        // Regression: a short outage dead-lettered every edit of the wiki (found by the chaos replay).
        var clock = new BackoffClock();
        var run = await CreateSutAndRunAsync(
            new WikiApiFixtureServerOptions { Http500Count = 3 },
            [CompareFixture(Domain, Parent, Rev, s_recordedCompare)],
            [Edit()],
            OutageSettings("00:00:30"),
            clock);
        await using var server = run.Server;

        Assert.Single(run.Enriched);
        Assert.Empty(run.Results);
        Assert.Equal(4, server.RequestCount);
        // Held on the outage backoff, doubling from 1 s, each wait logged with the domain and the reason.
        TimeSpan[] expected = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)];
        Assert.Equal(expected, clock.Waited);
        Assert.Equal(expected, HoldBackoffs(run));
        Assert.All(run.Logs.GetSnapshot().Where(r => r.Id.Id == 2103), r =>
        {
            Assert.Equal(Domain, r.GetStructuredStateValue("Domain"));
            Assert.Equal(DiffFailure.Unavailable, r.GetStructuredStateValue("Reason"));
        });
    }

    [Fact]
    public async Task Enrich_WikiDownLongerThanOutageWait_DeadLettersAsUnavailableAfterTheWait()
    {
        var clock = new BackoffClock();
        var run = await CreateSutAndRunAsync(
            new WikiApiFixtureServerOptions { Http500Count = 1_000 },
            [CompareFixture(Domain, Parent, Rev, s_recordedCompare)],
            [Edit()],
            OutageSettings("00:00:02"),
            clock);
        await using var server = run.Server;

        // Tries at 0 s (the outage starts), 1 s and 3 s; at 3 s the 2 s OutageWait is over, so the edit is dead-lettered.
        var dead = Assert.IsType<DeadLetteredResult>(Assert.Single(run.Results));
        Assert.Equal(DiffFailure.Unavailable, dead.Reason);
        Assert.Equal(3, server.RequestCount);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)], clock.Waited);
        Assert.Equal(1, Total(run.DeadLettered, DiffFailure.Unavailable));
    }

    [Fact]
    public async Task Enrich_OutageWaitZero_DeadLettersAtOnceWithoutHolding()
    {
        var clock = new BackoffClock();
        var run = await CreateSutAndRunAsync(
            new WikiApiFixtureServerOptions { Http500Count = 1_000 },
            [CompareFixture(Domain, Parent, Rev, s_recordedCompare)],
            [Edit()],
            OutageSettings("00:00:00"),
            clock);
        await using var server = run.Server;

        Assert.Equal(DiffFailure.Unavailable, Assert.IsType<DeadLetteredResult>(Assert.Single(run.Results)).Reason);
        Assert.Equal(1, server.RequestCount);
        Assert.Empty(clock.Waited);
        Assert.Empty(HoldBackoffs(run));
    }

    [Fact]
    public async Task Enrich_EveryAttemptTimesOut_DeadLettersAsTimeout()
    {
        var run = await CreateSutAndRunAsync(
            new WikiApiFixtureServerOptions { Latency = TimeSpan.FromSeconds(5) },
            [CompareFixture(Domain, Parent, Rev, s_recordedCompare)],
            [Edit()],
            new() { ["Safeguard:MediaWiki:AttemptTimeout"] = "00:00:00.100", ["Safeguard:MediaWiki:MaxRetries"] = "2" });
        await using var server = run.Server;

        var dead = Assert.IsType<DeadLetteredResult>(Assert.Single(run.Results));
        Assert.Equal(DiffFailure.Timeout, dead.Reason);
        Assert.Equal(3, run.Requests.Count("timeout"));
        Assert.Equal(1, Total(run.DeadLettered, DiffFailure.Timeout));
    }

    [Fact]
    public async Task Enrich_SlowFirstAttemptThenFast_RetriesAfterTheTimeout()
    {
        var run = await CreateSutAndRunAsync(
            new WikiApiFixtureServerOptions { Latency = TimeSpan.FromSeconds(5), SlowRequestCount = 1 },
            [CompareFixture(Domain, Parent, Rev, s_recordedCompare)],
            [Edit()],
            new() { ["Safeguard:MediaWiki:AttemptTimeout"] = "00:00:00.200" });
        await using var server = run.Server;

        Assert.Single(run.Enriched);
        Assert.Equal(1, run.Requests.Count("timeout"));
        Assert.Equal(1, run.Requests.Count("ok"));
    }

    [Fact]
    public async Task Enrich_NoSuchRevIdThenSuccess_AsksAgainAfterReplicaLag()
    {
        var run = await CreateSutAndRunAsync(
            new WikiApiFixtureServerOptions { ReplicaLagCount = 1 },
            [CompareFixture(Domain, Parent, Rev, s_recordedCompare)],
            [Edit()]);
        await using var server = run.Server;

        Assert.Single(run.Enriched);
        Assert.Equal(2, server.RequestCount);
        Assert.Equal(1, run.Requests.Count("api_error"));
        Assert.Equal(0, Total(run.Skipped, SkipReason.RevisionMissing));
    }

    [Fact]
    public async Task Enrich_CreationNotOnTheReplicaYet_AsksAgainThenReadsTheContent()
    {
        const string created = """{"batchcomplete":true,"query":{"pages":[{"pageid":9,"ns":0,"title":"New","revisions":[{"revid":77,"parentid":0,"slots":{"main":{"contentmodel":"wikitext","contentformat":"text/x-wiki","content":"'''New''' is a page.\n\n[[Category:Pages]]"}}}]}]}}""";
        var run = await CreateSutAndRunAsync(
            new WikiApiFixtureServerOptions { ReplicaLagCount = 2 },
            [QueryFixture(Domain, 77, created)],
            [Edit(rev: 77, parent: null)]);
        await using var server = run.Server;

        Assert.Equal(["'''New''' is a page.", "[[Category:Pages]]"], Assert.Single(run.Enriched).Diff.Added);
        Assert.Equal(3, server.RequestCount);
        Assert.Contains("rvslots=main", server.Requests[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enrich_NoSuchRevIdForever_SkipsAsMissingAfterTheRetries()
    {
        var run = await CreateSutAndRunAsync(new WikiApiFixtureServerOptions(), [], [Edit()]);
        await using var server = run.Server;

        var skip = Assert.IsType<SkippedResult>(Assert.Single(run.Results));
        Assert.Equal(SkipReason.RevisionMissing, skip.Reason);
        Assert.Equal(1 + 2, server.RequestCount);
        Assert.Equal(3, run.Requests.Count("api_error"));
        Assert.Equal(1, Total(run.Skipped, SkipReason.RevisionMissing));
    }

    [Fact]
    public async Task Enrich_DomainNotAllowed_IsRefusedAndCountedWithoutARequest()
    {
        var run = await CreateSutAndRunAsync(
            new WikiApiFixtureServerOptions(),
            [CompareFixture("evil.example.com", Parent, Rev, s_recordedCompare)],
            [Edit("evil.example.com"), Edit("169.254.169.254"), Edit("en.wikipedia.org@evil.example.com")]);
        await using var server = run.Server;

        Assert.Empty(run.Enriched);
        Assert.All(run.Results, r => Assert.Equal(SkipReason.DomainNotAllowed, Assert.IsType<SkippedResult>(r).Reason));
        Assert.Equal(0, server.RequestCount);
        Assert.Equal(3, Total(run.Skipped, SkipReason.DomainNotAllowed));
        Assert.Empty(run.Requests.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task Enrich_OneWikiKeepsFailing_OpensOnlyThatWikisCircuit()
    {
        // dewiki's fixture answers 500 (the fixture's own status); enwiki keeps working.
        var failing = new JsonObject { ["domain"] = "de.wikipedia.org", ["action"] = "compare", ["fromrev"] = 1, ["torev"] = 2, ["status"] = 500, ["body"] = new JsonObject() }.ToJsonString();
        var edits = Enumerable.Range(0, 6).Select(_ => Edit("de.wikipedia.org", rev: 2, parent: 1)).Append(Edit()).ToList();
        var run = await CreateSutAndRunAsync(
            new WikiApiFixtureServerOptions(),
            [failing, CompareFixture(Domain, Parent, Rev, s_recordedCompare)],
            edits,
            new()
            {
                ["Safeguard:MediaWiki:MaxConcurrency"] = "1",
                ["Safeguard:MediaWiki:MaxRetries"] = "1",
                ["Safeguard:MediaWiki:BreakerMinimumThroughput"] = "4",
                ["Safeguard:MediaWiki:BreakerBreakDuration"] = "00:01:00",
            });
        await using var server = run.Server;

        Assert.Single(run.Enriched); // enwiki's edit
        var reasons = run.Results.Cast<DeadLetteredResult>().Select(r => r.Reason).ToList();
        Assert.Equal(6, reasons.Count);
        Assert.Contains(DiffFailure.Unavailable, reasons);
        Assert.Contains(DiffFailure.CircuitOpen, reasons);
        Assert.True(Total(run.DeadLettered, DiffFailure.CircuitOpen) >= 1);
        Assert.True(server.RequestCount < 6 * 2 + 1, $"{server.RequestCount} requests: an open circuit sends none");
    }

    [Fact]
    public async Task Enrich_RateLimitPerWiki_SpacesTheWikisRequests()
    {
        var fixtures = Enumerable.Range(1, 6).Select(i => QueryFixture(Domain, i, """{"batchcomplete":true,"query":{"pages":[{"pageid":ID,"ns":0,"title":"PID","revisions":[{"revid":ID,"parentid":0,"slots":{"main":{"content":"Text ID"}}}]}]}}""".Replace("ID", i.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)));
        var run = await CreateSutAndRunAsync(
            new WikiApiFixtureServerOptions(),
            fixtures,
            [.. Enumerable.Range(1, 6).Select(i => Edit(rev: i, parent: null))],
            new() { ["Safeguard:MediaWiki:RequestsPerSecondPerWiki"] = "2" });
        await using var server = run.Server;

        Assert.Equal(6, run.Enriched.Count);
        // A bucket of 2 tokens refilled at 2 per second: requests 3-6 wait for two refills.
        Assert.True(run.Elapsed >= TimeSpan.FromMilliseconds(1_900), run.Elapsed.ToString());
    }
}
