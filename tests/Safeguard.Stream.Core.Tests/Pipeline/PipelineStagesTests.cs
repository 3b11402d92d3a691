using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Safeguard.Stream.Core.Hosting;
using Safeguard.Stream.Core.Pipeline;

namespace Safeguard.Stream.Core.Tests.Pipeline;

public sealed class PipelineStagesTests
{
    [Fact]
    public async Task StopAsync_StagesAddedInAnyOrder_StopsTheSourceFirstAndPublishLast()
    {
        var journal = new StageJournal();
        using var host = CreateSut(journal, services => services
            .AddPipelineStage<PublishFake>(PipelinePosition.Publish)
            .AddPipelineStage<SourceFake>(PipelinePosition.Source)
            .AddPipelineStage<EnrichmentFake>(PipelinePosition.Enrichment)
            .AddPipelineStage<RoutingFake>(PipelinePosition.Routing)
            .AddPipelineStage<ClassificationFake>(PipelinePosition.Classification));

        await host.StartAsync(TestContext.Current.CancellationToken);
        await host.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["start publish", "start classification", "start enrichment", "start routing", "start source",
            "stop source", "stop routing", "stop enrichment", "stop classification", "stop publish"], journal.Entries);
    }

    [Fact]
    public async Task StopAsync_StageAddedTwice_RunsOnce()
    {
        var journal = new StageJournal();
        using var host = CreateSut(journal, services => services
            .AddPipelineStage<SourceFake>(PipelinePosition.Source)
            .AddPipelineStage<SourceFake>(PipelinePosition.Source));

        await host.StartAsync(TestContext.Current.CancellationToken);
        await host.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["start source", "stop source"], journal.Entries);
    }

    [Fact]
    public async Task ExecuteTask_StageFails_FailsWithTheStagesExceptionAndStopsTheHost()
    {
        var journal = new StageJournal();
        using var host = CreateSut(journal, services => services
            .AddPipelineStage<FailingFake>(PipelinePosition.Classification)
            .AddPipelineStage<SourceFake>(PipelinePosition.Source));
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();

        await host.StartAsync(TestContext.Current.CancellationToken);
        var stages = host.Services.GetServices<IHostedService>().OfType<PipelineStages>().Single();
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => stages.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        await Task.Delay(Timeout.Infinite, lifetime.ApplicationStopping).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken)
            .ContinueWith(_ => { }, TestContext.Current.CancellationToken, TaskContinuationOptions.None, TaskScheduler.Default);

        Assert.Equal("stage broke", ex.Message);
        Assert.True(lifetime.ApplicationStopping.IsCancellationRequested, "a failed stage must stop the host");
    }

    private static IHost CreateSut(StageJournal journal, Action<IServiceCollection> stages)
    {
        var builder = Host.CreateEmptyApplicationBuilder(null);
        builder.Services.AddSingleton(journal);
        builder.Services.Configure<HostOptions>(o => o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost);
        stages(builder.Services);
        return builder.Build();
    }

    private sealed class StageJournal
    {
        private readonly List<string> _entries = [];

        public IReadOnlyList<string> Entries
        {
            get
            {
                lock (_entries)
                {
                    return [.. _entries];
                }
            }
        }

        public void Add(string entry)
        {
            lock (_entries)
            {
                _entries.Add(entry);
            }
        }
    }

    private abstract class FakeStage(StageJournal journal, string name) : BackgroundService
    {
        public override Task StartAsync(CancellationToken cancellationToken)
        {
            journal.Add("start " + name);
            return base.StartAsync(cancellationToken);
        }

        public override Task StopAsync(CancellationToken cancellationToken)
        {
            journal.Add("stop " + name);
            return base.StopAsync(cancellationToken);
        }

        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Delay(Timeout.Infinite, stoppingToken);
    }

    private sealed class SourceFake(StageJournal journal) : FakeStage(journal, "source");

    private sealed class RoutingFake(StageJournal journal) : FakeStage(journal, "routing");

    private sealed class EnrichmentFake(StageJournal journal) : FakeStage(journal, "enrichment");

    private sealed class ClassificationFake(StageJournal journal) : FakeStage(journal, "classification");

    private sealed class PublishFake(StageJournal journal) : FakeStage(journal, "publish");

    private sealed class FailingFake(StageJournal journal) : FakeStage(journal, "failing")
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Yield();
            throw new InvalidOperationException("stage broke");
        }
    }
}
