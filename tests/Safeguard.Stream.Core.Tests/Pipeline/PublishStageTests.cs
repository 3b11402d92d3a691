using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Safeguard.Stream.Core.Pipeline;

namespace Safeguard.Stream.Core.Tests.Pipeline;

/// <summary>
/// The publish stage as <c>AddSafeguardPublishStage</c> wires it (its registered outage retries included), on a
/// <see cref="FakeTimeProvider"/>: the backoff is read from the fake clock and the logs, never slept through.
/// </summary>
public sealed class PublishStageTests
{
    private sealed class CountingSink(TimeProvider time) : IResultSink
    {
        public int Failures { get; set; }

        public List<long> Written { get; } = [];

        /// <summary>The fake time of every write attempt.</summary>
        public List<DateTimeOffset> Attempts { get; } = [];

        public string Name => "test";

        public Task WriteAsync(IReadOnlyList<PipelineResult> batch, CancellationToken cancellationToken)
        {
            lock (Written)
            {
                Attempts.Add(time.GetUtcNow());
                if (Failures-- > 0)
                {
                    throw new InvalidOperationException("sink down");
                }

                Written.AddRange(batch.Select(r => r.Sequence));
            }

            return Task.CompletedTask;
        }
    }

    private sealed class FlakyProgress(TimeProvider time, int failures) : ISourceProgress
    {
        private int _failures = failures;

        public List<DateTimeOffset> Attempts { get; } = [];

        public List<string?> Positions { get; } = [];

        public Task AdvanceAsync(IReadOnlyList<EventContext> released, IReadOnlyDictionary<(string Source, string Reason), long> skips, CancellationToken cancellationToken)
        {
            Attempts.Add(time.GetUtcNow());
            if (_failures-- > 0)
            {
                throw new TimeoutException("postgres restarting");
            }

            Positions.AddRange(released.Select(e => e.Position));
            return Task.CompletedTask;
        }
    }

    private sealed record Sut(IHost Host, PublishStage Stage, PipelineChannels Channels, PipelineTally Tally, PipelineCompletion Completion, FakeLogCollector Logs);

    private static Sut CreateSut(FakeTimeProvider time, IResultSink sink, ISourceProgress progress)
    {
        var builder = Host.CreateEmptyApplicationBuilder(null);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Safeguard:Pipeline:PublishBatchSize"] = "4",
            ["Safeguard:Pipeline:PublishBatchDelay"] = "00:00:00.001",
        });
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton(sink);
        builder.Services.AddSingleton(progress);
        builder.Logging.AddFakeLogging();
        builder.AddSafeguardCore();
        builder.AddSafeguardPublishStage();
        var host = builder.Build();
        var services = host.Services;
        return new Sut(
            host,
            services.GetRequiredService<PublishStage>(),
            services.GetRequiredService<PipelineChannels>(),
            services.GetRequiredService<PipelineTally>(),
            services.GetRequiredService<PipelineCompletion>(),
            services.GetFakeLogCollector());
    }

    private static async Task WriteSkipsAsync(PipelineChannels channels, int events)
    {
        var writer = channels.AddResultWriter();
        for (var i = 1; i <= events; i++)
        {
            var source = new SourceEvent(i, "s", "p" + i, ReadOnlyMemory<byte>.Empty);
            await channels.Results.Writer.WriteAsync(new SkippedResult(source, null, "bot"), TestContext.Current.CancellationToken);
        }

        writer.Complete();
    }

    /// <summary>Moves the fake clock on until <paramref name="until"/> completes; the stage never waits in real time.</summary>
    private static async Task AdvanceUntilAsync(FakeTimeProvider time, Task until)
    {
        var ct = TestContext.Current.CancellationToken;
        while (!until.IsCompleted)
        {
            ct.ThrowIfCancellationRequested();
            time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Yield();
        }

        await until;
    }

    private static async Task RunToDrainedAsync(Sut sut, FakeTimeProvider time, int events)
    {
        await sut.Stage.StartAsync(TestContext.Current.CancellationToken);
        await WriteSkipsAsync(sut.Channels, events);
        await AdvanceUntilAsync(time, sut.Completion.Drained);
        await sut.Stage.StopAsync(TestContext.Current.CancellationToken);
    }

    private static List<TimeSpan> Backoffs(FakeLogCollector logs, int eventId) =>
        [.. logs.GetSnapshot().Where(r => r.Id.Id == eventId).Select(r => TimeSpan.Parse(r.GetStructuredStateValue("Backoff")!, System.Globalization.CultureInfo.InvariantCulture))];

    private static List<TimeSpan> Gaps(List<DateTimeOffset> attempts) => [.. attempts.Zip(attempts.Skip(1), (a, b) => b - a)];

    [Fact]
    public async Task Publish_SinkFailsTwice_BacksOffOnTheClockAndLosesNothing()
    {
        var time = new FakeTimeProvider();
        var sink = new CountingSink(time) { Failures = 2 };
        var sut = CreateSut(time, sink, new FlakyProgress(time, 0));
        using var host = sut.Host;

        await RunToDrainedAsync(sut, time, events: 10);

        Assert.Equal(10, sut.Tally.Events);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), sink.Written.Order());
        var warnings = sut.Logs.GetSnapshot().Where(r => r.Id.Id == 111).ToList();
        Assert.Equal(["1", "2"], warnings.Select(r => r.GetStructuredStateValue("Attempt")));
        Assert.All(warnings, r => Assert.Equal(LogLevel.Warning, r.Level));
        Assert.Equal([TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400)], Backoffs(sut.Logs, 111));
        var gaps = Gaps(sink.Attempts);
        Assert.True(gaps[0] >= TimeSpan.FromMilliseconds(200) && gaps[1] >= TimeSpan.FromMilliseconds(400), string.Join(", ", gaps));
    }

    [Fact]
    public async Task Publish_SinkDownForLong_KeepsTryingPastAnyAttemptLimitWithTheBackoffCappedAt30Seconds()
    {
        var time = new FakeTimeProvider();
        var sink = new CountingSink(time) { Failures = 11 };
        var sut = CreateSut(time, sink, new FlakyProgress(time, 0));
        using var host = sut.Host;

        await RunToDrainedAsync(sut, time, events: 3);

        Assert.Equal(3, sut.Tally.Events);
        var expected = new[] { 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30, 30, 30 }.Select(TimeSpan.FromSeconds);
        Assert.Equal(expected, Backoffs(sut.Logs, 111));
        Assert.All(Gaps(sink.Attempts).Zip(expected), p => Assert.True(p.First >= p.Second, $"{p.First} < {p.Second}"));
    }

    [Fact]
    public async Task Publish_CheckpointWriteFailsTwice_RetriesInsteadOfStoppingAndCommitsEverything()
    {
        // Regression: a failed checkpoint write escaped the stage and stopped the worker during a Postgres restart.
        var time = new FakeTimeProvider();
        var progress = new FlakyProgress(time, 2);
        var sut = CreateSut(time, new CountingSink(time), progress);
        using var host = sut.Host;

        await RunToDrainedAsync(sut, time, events: 6);

        Assert.True(sut.Completion.Drained.IsCompletedSuccessfully);
        Assert.Equal(6, sut.Tally.Events);
        Assert.Equal("p6", progress.Positions[^1]);
        Assert.Equal([TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400)], Backoffs(sut.Logs, 113));
        var gaps = Gaps(progress.Attempts);
        Assert.True(gaps[0] >= TimeSpan.FromMilliseconds(200) && gaps[1] >= TimeSpan.FromMilliseconds(400), string.Join(", ", gaps));
    }

    [Fact]
    public async Task Publish_StoppedWhileBackingOff_EndsAsNotDrainedWithoutWritingTheBatch()
    {
        var time = new FakeTimeProvider();
        var sink = new CountingSink(time) { Failures = int.MaxValue };
        var sut = CreateSut(time, sink, new FlakyProgress(time, 0));
        using var host = sut.Host;
        await sut.Stage.StartAsync(TestContext.Current.CancellationToken);
        await WriteSkipsAsync(sut.Channels, events: 2);
        while (sut.Logs.GetSnapshot().Count(r => r.Id.Id == 111) < 3)
        {
            time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Yield();
        }

        await sut.Stage.StopAsync(TestContext.Current.CancellationToken);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sut.Completion.Drained);
        Assert.Empty(sink.Written);
        Assert.Equal(0, sut.Tally.Events);
    }
}
