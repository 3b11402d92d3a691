using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Safeguard.Stream.Core.Events;
using Safeguard.Stream.Core.Policies;
using Safeguard.Stream.Core.Telemetry;
using Safeguard.Stream.Fakes;
using Safeguard.Stream.MediaWiki.LiftWing;

namespace Safeguard.Stream.MediaWiki.Tests.LiftWing;

/// <summary>
/// The revert-risk client as the worker wires it (<c>AddSafeguardMediaWiki</c>: its options, its own resilience
/// pipeline), against the LiftWing fixture server that answers the recorded response's shape: the score is read, and
/// every failure (down, slow, 5xx, an open circuit, a wiki the model does not cover) returns no score, counted.
/// </summary>
public sealed class LiftWingClientTests
{
    private const string RecordedFile = "wikimedia/liftwing/revertrisk-language-agnostic.predict.response.readme-recorded.json";

    internal static string RecordedPath => Path.Combine(AppContext.BaseDirectory, "data", RecordedFile);

    internal static EditEvent Edit(string domain = "en.wikipedia.org", long rev = 920429244) => new()
    {
        SchemaUri = "/mediawiki/page/change/1.2.0",
        Stream = "mediawiki.page_change.v1",
        Domain = domain,
        WikiId = "enwiki",
        RevId = rev,
        ParentRevId = 913912176,
        Kind = EditKind.Edit,
        SourceKind = "edit",
        PageTitle = "Ishiyama_Hongan-ji",
        Namespace = 0,
        EventTime = DateTimeOffset.UnixEpoch,
    };

    /// <summary>A host with a generous timeout (a loaded test machine's first request is slow), unless the test sets one.</summary>
    private static (IHost Host, LiftWingClient Client, MetricCollector<long> FailedOpen) Create(Dictionary<string, string?> settings)
    {
        settings.TryAdd("Safeguard:LiftWing:Timeout", "00:00:05");
        var host = MediaWikiTestHost.Create(settings);
        var failedOpen = new MetricCollector<long>(host.Services.GetRequiredService<SafeguardTelemetry>().GateFailedOpen);
        return (host, host.Services.GetRequiredService<LiftWingClient>(), failedOpen);
    }

    private static long FailedOpen(MetricCollector<long> collector, string reason) =>
        collector.GetMeasurementSnapshot().Where(m => Equals(m.Tags[SafeguardTelemetry.Tags.Reason], reason)).Sum(m => m.Value);

    [Fact]
    public void Read_RecordedResponse_IsTheTrueProbabilityWithTheModel()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(RecordedPath));
        var response = document.RootElement.GetProperty("response");

        var score = LiftWingClient.Read(response, 12345);

        Assert.NotNull(score);
        Assert.Equal(0.17687281966209412, score.Probability);
        Assert.Equal("revertrisk-language-agnostic", score.Model);
        Assert.Equal("3", score.ModelVersion);
    }

    [Theory]
    [InlineData("""{"revision_id":12345,"output":{"prediction":false}}""")]
    [InlineData("""{"revision_id":12345,"output":{"probabilities":{"true":"0.2"}}}""")]
    [InlineData("""{"revision_id":12345,"output":{"probabilities":{"true":1.5}}}""")]
    [InlineData("""{"revision_id":99,"output":{"probabilities":{"true":0.2}}}""")]
    [InlineData("""{"error":"The MW API does not have any info related to the rev-id provided as input (12345)"}""")]
    public void Read_AnswerWithoutAUsableScore_IsNull(string answer)
    {
        using var document = JsonDocument.Parse(answer);

        Assert.Null(LiftWingClient.Read(document.RootElement, 12345));
    }

    [Fact]
    public async Task GetRevertRisk_FixtureServer_PostsLangAndRevIdAndReadsTheScore()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await LiftWingFixtureServer.StartAsync(new() { RecordedPath = RecordedPath }, ct: ct);
        server.SetScore(920429244, 0.42);
        var (host, client, failedOpen) = Create(new() { ["Safeguard:LiftWing:Url"] = server.Url });
        using var _ = host;

        var score = await client.GetRevertRiskAsync(Edit(), ct);

        Assert.Equal(new RevertRiskScore(0.42, "revertrisk-language-agnostic", "3"), score);
        var request = JsonNode.Parse(Assert.Single(server.Requests))!;
        Assert.Equal("en", (string?)request["lang"]);
        Assert.Equal(920429244, (long)request["rev_id"]!);
        Assert.StartsWith("Safeguard.Stream/", Assert.Single(server.UserAgents), StringComparison.Ordinal);
        Assert.Empty(failedOpen.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task GetRevertRisk_ServerDown_FailsOpenWithNoScore()
    {
        var ct = TestContext.Current.CancellationToken;
        var (host, client, failedOpen) = Create(new() { ["Safeguard:LiftWing:Url"] = $"http://127.0.0.1:{LocalResources.FreePort()}" });
        using var _ = host;

        Assert.Null(await client.GetRevertRiskAsync(Edit(), ct));
        Assert.Equal(1, FailedOpen(failedOpen, GateFailure.Unavailable));
    }

    [Fact]
    public async Task GetRevertRisk_SlowServer_FailsOpenWithinTheTimeout()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await LiftWingFixtureServer.StartAsync(new() { RecordedPath = RecordedPath }, ct: ct);
        server.Latency = TimeSpan.FromSeconds(10);
        var (host, client, failedOpen) = Create(new() { ["Safeguard:LiftWing:Url"] = server.Url, ["Safeguard:LiftWing:Timeout"] = "00:00:00.300" });
        using var _ = host;
        var started = TimeProvider.System.GetTimestamp();

        var score = await client.GetRevertRiskAsync(Edit(), ct);

        var elapsed = TimeProvider.System.GetElapsedTime(started);
        Assert.Null(score);
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(3));
        Assert.Equal(1, FailedOpen(failedOpen, GateFailure.Timeout));
    }

    [Theory]
    [InlineData(503, 0, GateFailure.Unavailable, 1)]
    [InlineData(503, 1, GateFailure.Unavailable, 2)]
    [InlineData(400, 1, GateFailure.HttpError, 1)]
    public async Task GetRevertRisk_ErrorStatus_FailsOpenAfterTheRetries(int status, int maxRetries, string reason, int requests)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await LiftWingFixtureServer.StartAsync(new() { RecordedPath = RecordedPath }, ct: ct);
        server.FailWith = status;
        var (host, client, failedOpen) = Create(new()
        {
            ["Safeguard:LiftWing:Url"] = server.Url,
            ["Safeguard:LiftWing:MaxRetries"] = maxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var _ = host;

        Assert.Null(await client.GetRevertRiskAsync(Edit(), ct));
        Assert.Equal(requests, server.RequestCount);
        Assert.Equal(1, FailedOpen(failedOpen, reason));
    }

    [Fact]
    public async Task GetRevertRisk_KeepsFailing_OpensTheCircuitAndStopsAsking()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await LiftWingFixtureServer.StartAsync(new() { RecordedPath = RecordedPath }, ct: ct);
        server.FailWith = 500;
        var (host, client, failedOpen) = Create(new()
        {
            ["Safeguard:LiftWing:Url"] = server.Url,
            ["Safeguard:LiftWing:BreakerMinimumThroughput"] = "2",
            ["Safeguard:LiftWing:BreakerSamplingDuration"] = "00:00:30",
        });
        using var _ = host;

        for (var i = 0; i < 6; i++)
        {
            Assert.Null(await client.GetRevertRiskAsync(Edit(rev: 920429244 + i), ct));
        }

        Assert.Equal(2, server.RequestCount);
        Assert.Equal(2, FailedOpen(failedOpen, GateFailure.Unavailable));
        Assert.Equal(4, FailedOpen(failedOpen, GateFailure.CircuitOpen));
    }

    [Theory]
    [InlineData("en.wiktionary.org")]
    [InlineData("www.wikidata.org")]
    [InlineData("commons.wikimedia.org")]
    public async Task GetRevertRisk_NotAWikipedia_AsksNothingAndFailsOpen(string domain)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await LiftWingFixtureServer.StartAsync(new() { RecordedPath = RecordedPath }, ct: ct);
        var (host, client, failedOpen) = Create(new() { ["Safeguard:LiftWing:Url"] = server.Url });
        using var _ = host;

        Assert.Null(await client.GetRevertRiskAsync(Edit(domain), ct));
        Assert.Equal(0, server.RequestCount);
        Assert.Equal(1, FailedOpen(failedOpen, GateFailure.UnsupportedWiki));
    }

    [Fact]
    public async Task GetRevertRisk_NoUrl_FailsOpenAsNotConfigured()
    {
        var (host, client, failedOpen) = Create([]);
        using var _ = host;

        Assert.Null(await client.GetRevertRiskAsync(Edit(), TestContext.Current.CancellationToken));
        Assert.Equal(1, FailedOpen(failedOpen, GateFailure.NotConfigured));
    }

    [Theory]
    [InlineData("Safeguard:LiftWing:Url", "ftp://example.org", "Safeguard:LiftWing:Url")]
    [InlineData("Safeguard:LiftWing:Timeout", "00:00:20", "Timeout")]
    [InlineData("Safeguard:LiftWing:BreakerSamplingDuration", "00:00:01", "Safeguard:LiftWing:BreakerSamplingDuration")]
    public void Options_BadValue_FailsAtStartNamingTheKey(string key, string value, string named)
    {
        using var host = MediaWikiTestHost.Create(new Dictionary<string, string?> { ["Safeguard:LiftWing:Url"] = "https://api.wikimedia.org/service/lw/inference", [key] = value });

        var ex = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<LiftWingOptions>>().Value);
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }
}
