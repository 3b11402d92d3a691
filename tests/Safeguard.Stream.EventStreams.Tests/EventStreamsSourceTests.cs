using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Safeguard.Stream.Core.Events;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.Core.Telemetry;
using Safeguard.Stream.Fakes;

namespace Safeguard.Stream.EventStreams.Tests;

/// <summary>The SSE source against the EventStreams replay server on loopback: resume, 429s, cuts and stalls.</summary>
public sealed class EventStreamsSourceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sse-source").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed class MemoryCheckpoints(string? initial) : ICheckpointStore
    {
        public Task<string?> LoadAsync(string sourceName, CancellationToken cancellationToken) => Task.FromResult(initial);

        public Task CommitAsync(IReadOnlyDictionary<string, string> positions, IReadOnlyDictionary<(string Source, string Reason), long> skips, CancellationToken cancellationToken) =>
            Task.CompletedTask;
    }

    private sealed class Factory : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new() { Timeout = Timeout.InfiniteTimeSpan };
    }

    private sealed class Meters : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }

    private async Task<string> WriteEventsAsync(int count)
    {
        var lines = Enumerable.Range(1, count).Select(i =>
            $$$"""{"$schema":"/mediawiki/page/change/1.2.0","meta":{"domain":"en.wikipedia.org","stream":"mediawiki.page_change.v1","dt":"2026-11-20T14:00:{{{i % 60:00}}}Z"},"wiki_id":"enwiki","page_change_kind":"edit","dt":"2026-11-20T14:00:00Z","page":{"page_id":{{{i}}},"page_title":"P{{{i}}}","namespace_id":0},"revision":{"rev_id":{{{i}}},"rev_parent_id":{{{i + 1000}}}}}""");
        var path = Path.Combine(_directory, "events.jsonl");
        await File.WriteAllLinesAsync(path, lines, TestContext.Current.CancellationToken);
        return path;
    }

    private static async Task<List<SourceEvent>> ReadAsync(SseReplayServer server, string? checkpoint, int expected, TimeSpan stall, Func<bool>? keepRunningUntil = null)
    {
        using var meters = new Meters();
        using var telemetry = new SafeguardTelemetry(meters);
        var source = new EventStreamsSource(
            new Factory(),
            new MemoryCheckpoints(checkpoint),
            Options.Create(new SourceOptions { Url = server.StreamUrl("mediawiki.page_change.v1"), StallTimeout = stall, ReconnectMaxDelay = TimeSpan.FromMilliseconds(300) }),
            TimeProvider.System,
            telemetry,
            NullLogger<EventStreamsSource>.Instance);
        var channel = Channel.CreateUnbounded<SourceEvent>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        stop.CancelAfter(TimeSpan.FromSeconds(30));
        var run = source.RunAsync(channel.Writer, stop.Token);
        var received = new List<SourceEvent>();
        while (received.Count < expected)
        {
            received.Add(await channel.Reader.ReadAsync(stop.Token));
        }

        while (keepRunningUntil is not null && !keepRunningUntil())
        {
            await Task.Delay(50, stop.Token);
        }

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        return received;
    }

    private static long RevId(SourceEvent e) => EventParser.Parse(e.Payload.Span).Event!.RevId;

    [Fact]
    public async Task RunAsync_CutEveryFewEvents_ResumesWithLastEventIdWithoutGapsOrRepeats()
    {
        await using var server = await SseReplayServer.StartAsync(new SseReplayServerOptions { EventsPath = await WriteEventsAsync(60), CutAfterEvents = 7 },
            ct: TestContext.Current.CancellationToken);

        var events = await ReadAsync(server, checkpoint: null, expected: 60, stall: TimeSpan.FromSeconds(10));

        Assert.Equal(Enumerable.Range(1, 60).Select(i => (long)i), events.Select(RevId));
        Assert.Equal(Enumerable.Range(1, 60).Select(i => (long)i), events.Select(e => e.Sequence));
        Assert.True(server.ConnectionCount >= 9, $"{server.ConnectionCount} connections");
        Assert.Null(server.LastEventIdsSeen[0]);
        Assert.All(server.LastEventIdsSeen.Skip(1), id => Assert.Contains("\"offset\"", id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_TooManyRequests_BacksOffAndConnects()
    {
        await using var server = await SseReplayServer.StartAsync(new SseReplayServerOptions { EventsPath = await WriteEventsAsync(5), Status429Count = 2, RetryAfterSeconds = 0 },
            ct: TestContext.Current.CancellationToken);

        var events = await ReadAsync(server, checkpoint: null, expected: 5, stall: TimeSpan.FromSeconds(10));

        Assert.Equal(5, events.Count);
        Assert.Equal(3, server.ConnectionCount);
    }

    [Fact]
    public async Task RunAsync_Checkpoint_IsSentAsLastEventIdAndResumesAfterIt()
    {
        await using var server = await SseReplayServer.StartAsync(new SseReplayServerOptions { EventsPath = await WriteEventsAsync(10) },
            ct: TestContext.Current.CancellationToken);
        const string checkpoint = """[{"topic":"eqiad.mediawiki.page_change.v1","partition":0,"offset":5}]""";

        var events = await ReadAsync(server, checkpoint, expected: 4, stall: TimeSpan.FromSeconds(10));

        Assert.Equal(checkpoint, server.LastEventIdsSeen[0]);
        Assert.Equal([7L, 8, 9, 10], events.Select(RevId));
    }

    [Fact]
    public async Task RunAsync_StalledStream_WatchdogReconnects()
    {
        // The server keeps the connection open and silent after the last event, as EventStreams does when idle.
        await using var server = await SseReplayServer.StartAsync(new SseReplayServerOptions { EventsPath = await WriteEventsAsync(3) },
            ct: TestContext.Current.CancellationToken);

        // Wait for a reconnection after the last event: on a loaded machine the 400 ms watchdog may also fire before
        // the first event arrives (that reconnection has no Last-Event-ID yet), which is not what this test is about.
        int? connectionsAtLastEvent = null;
        var events = await ReadAsync(server, checkpoint: null, expected: 3, stall: TimeSpan.FromMilliseconds(400),
            keepRunningUntil: () => server.ConnectionCount > (connectionsAtLastEvent ??= server.ConnectionCount));

        Assert.Equal(3, events.Count);
        Assert.True(server.ConnectionCount > connectionsAtLastEvent, "the watchdog did not reconnect a silent stream");
        Assert.EndsWith("\"offset\":2}]", server.LastEventIdsSeen[^1], StringComparison.Ordinal);
    }
}
