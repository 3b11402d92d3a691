using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.Core.Telemetry;

namespace Safeguard.Stream.Core.Tests.Pipeline;

public sealed class PublishStageTests
{
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

    private sealed class CountingSink : IResultSink
    {
        public int Failures { get; set; }

        public List<long> Written { get; } = [];

        public string Name => "test";

        public Task WriteAsync(IReadOnlyList<PipelineResult> batch, CancellationToken cancellationToken)
        {
            if (Failures-- > 0)
            {
                throw new InvalidOperationException("sink down");
            }

            lock (Written)
            {
                Written.AddRange(batch.Select(r => r.Sequence));
            }

            return Task.CompletedTask;
        }
    }

    private sealed class FlakyProgress(int failures) : ISourceProgress
    {
        private int _failures = failures;

        public int Calls { get; private set; }

        public List<string?> Positions { get; } = [];

        public Task AdvanceAsync(IReadOnlyList<SourceEvent> released, IReadOnlyDictionary<(string Source, string Reason), long> skips, CancellationToken cancellationToken)
        {
            Calls++;
            if (_failures-- > 0)
            {
                throw new TimeoutException("postgres restarting");
            }

            Positions.AddRange(released.Select(e => e.Position));
            return Task.CompletedTask;
        }
    }

    private static async Task<(PipelineTally Tally, PipelineCompletion Completion)> RunAsync(IResultSink sink, ISourceProgress progress, int events)
    {
        using var meters = new Meters();
        using var telemetry = new SafeguardTelemetry(meters);
        var options = Options.Create(new PipelineOptions { PublishBatchSize = 4, PublishBatchDelay = TimeSpan.FromMilliseconds(1) });
        var channels = new PipelineChannels(options, telemetry);
        var tally = new PipelineTally();
        var completion = new PipelineCompletion();
        var stage = new PublishStage(channels, [sink], progress, new CompletionWatermark(), tally, completion, options, TimeProvider.System, telemetry,
            NullLogger<PublishStage>.Instance);
        await stage.StartAsync(TestContext.Current.CancellationToken);
        for (var i = 1; i <= events; i++)
        {
            var source = new SourceEvent(i, "s", "p" + i, ReadOnlyMemory<byte>.Empty);
            await channels.Results.Writer.WriteAsync(new SkippedResult(source, null, "bot"), TestContext.Current.CancellationToken);
        }

        for (var i = 0; i < PipelineChannels.ResultWriterCount; i++)
        {
            channels.CompleteResultWriter();
        }

        await completion.Drained.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await stage.StopAsync(TestContext.Current.CancellationToken);
        return (tally, completion);
    }

    [Fact]
    public async Task Publish_SinkFailsTwice_RetriesAndLosesNothing()
    {
        var sink = new CountingSink { Failures = 2 };

        var (tally, _) = await RunAsync(sink, new FlakyProgress(0), events: 10);

        Assert.Equal(10, tally.Events);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), sink.Written.Order());
    }

    [Fact]
    public async Task Publish_CheckpointWriteFailsTwice_RetriesInsteadOfStoppingAndCommitsEverything()
    {
        // Regression: a failed checkpoint write escaped the stage and stopped the worker during a Postgres restart.
        var progress = new FlakyProgress(2);

        var (tally, completion) = await RunAsync(new CountingSink(), progress, events: 6);

        Assert.True(completion.Drained.IsCompletedSuccessfully);
        Assert.Equal(6, tally.Events);
        Assert.Equal("p6", progress.Positions[^1]);
        Assert.True(progress.Calls >= 3);
    }
}
