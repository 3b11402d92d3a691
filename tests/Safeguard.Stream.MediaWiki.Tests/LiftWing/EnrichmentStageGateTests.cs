using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.Core.Policies;
using Safeguard.Stream.Core.Telemetry;
using Safeguard.Stream.Fakes;

namespace Safeguard.Stream.MediaWiki.Tests.LiftWing;

/// <summary>
/// The enrichment stage with a revert-risk gate: the wiki API fixture server for the diff, the LiftWing fixture
/// server for the score. LiftWing is asked only for edits with a gated policy, and an edit whose score cannot be had
/// is still enriched (no score: the gate fails open).
/// </summary>
public sealed class EnrichmentStageGateTests
{
    private const string Domain = "en.wikipedia.org";
    private const long Parent = 913912176;
    private const long Rev = 920429244;

    private static readonly Policy s_gated = new() { Id = "spam", Version = 1, Title = "Spam", Body = "b", Gate = new RevertRiskGate(0.1) };
    private static readonly Policy s_open = new() { Id = "vandalism", Version = 1, Title = "Vandalism", Body = "b" };

    private static async Task<(EnrichedEdit Enriched, MetricCollector<long> FailedOpen)> EnrichAsync(string liftWingUrl, IReadOnlyList<Policy> policies, string timeout = "00:00:05")
    {
        var ct = TestContext.Current.CancellationToken;
        await using var wiki = await WikiApiFixtureServer.StartAsync(ct: ct);
        var body = JsonNode.Parse(RecordedApiHandler.Recorded("wikimedia/api/enwiki.compare.fromrev-920429244.torelative-prev.recorded.json"));
        wiki.AddFixture(new JsonObject { ["domain"] = Domain, ["action"] = "compare", ["fromrev"] = Parent, ["torev"] = Rev, ["body"] = body }.ToJsonString());
        using var host = MediaWikiTestHost.Create(
            new Dictionary<string, string?> { ["Safeguard:MediaWiki:ApiUrlTemplate"] = wiki.ApiUrlTemplateString, ["Safeguard:LiftWing:Url"] = liftWingUrl, ["Safeguard:LiftWing:Timeout"] = timeout },
            stage: true);
        var failedOpen = new MetricCollector<long>(host.Services.GetRequiredService<SafeguardTelemetry>().GateFailedOpen);
        var channels = host.Services.GetRequiredService<PipelineChannels>();
        await host.StartAsync(ct);
        await channels.Routed.Writer.WriteAsync(new RoutedEdit(new SourceEvent(1, "test", null, ReadOnlyMemory<byte>.Empty), LiftWingClientTests.Edit(), policies), ct);
        channels.Routed.Writer.Complete();
        var enriched = await channels.Enriched.Reader.ReadAsync(ct);
        await host.StopAsync(ct);
        return (enriched, failedOpen);
    }

    [Fact]
    public async Task Enrich_GatedPolicy_CarriesLiftWingsScore()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var liftWing = await LiftWingFixtureServer.StartAsync(new() { RecordedPath = LiftWingClientTests.RecordedPath }, ct: ct);
        liftWing.SetScore(Rev, 0.03);

        var (enriched, failedOpen) = await EnrichAsync(liftWing.Url, [s_gated, s_open]);

        Assert.Equal(new RevertRiskScore(0.03, "revertrisk-language-agnostic", "3"), enriched.RevertRisk);
        Assert.Equal(["[[Category:1490s establishments in Japan]]"], enriched.Diff.Added);
        Assert.Equal(1, liftWing.RequestCount);
        Assert.Empty(failedOpen.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task Enrich_NoGatedPolicy_DoesNotAskLiftWing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var liftWing = await LiftWingFixtureServer.StartAsync(new() { RecordedPath = LiftWingClientTests.RecordedPath }, ct: ct);

        var (enriched, failedOpen) = await EnrichAsync(liftWing.Url, [s_open]);

        Assert.Null(enriched.RevertRisk);
        Assert.Equal(0, liftWing.RequestCount);
        Assert.Empty(failedOpen.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task Enrich_LiftWingDown_StillEnrichesWithNoScore()
    {
        var (enriched, failedOpen) = await EnrichAsync($"http://127.0.0.1:{LocalResources.FreePort()}", [s_gated]);

        Assert.Null(enriched.RevertRisk);
        Assert.Equal(["[[Category:1490s establishments in Japan]]"], enriched.Diff.Added);
        Assert.Equal(1, failedOpen.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task Enrich_LiftWingSlow_StillEnrichesWithNoScoreAfterTheTimeout()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var liftWing = await LiftWingFixtureServer.StartAsync(new() { RecordedPath = LiftWingClientTests.RecordedPath }, ct: ct);
        liftWing.Latency = TimeSpan.FromSeconds(20);
        var started = TimeProvider.System.GetTimestamp();

        var (enriched, failedOpen) = await EnrichAsync(liftWing.Url, [s_gated], timeout: "00:00:00.500");

        Assert.Null(enriched.RevertRisk);
        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(10));
        Assert.Equal(1, failedOpen.GetMeasurementSnapshot().Where(m => Equals(m.Tags[SafeguardTelemetry.Tags.Reason], "timeout")).Sum(m => m.Value));
    }
}
