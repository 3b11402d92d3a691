namespace Safeguard.Stream.Core.Pipeline;

/// <summary>A stage's place in the flow, from the source to the sinks.</summary>
public enum PipelinePosition
{
    Source,
    Routing,
    Enrichment,
    Classification,
    Publish,
}

/// <summary>A stage and its place in the flow, as its component's <c>Add…</c> registered it.</summary>
public sealed record PipelineStageRegistration(PipelinePosition Position, Type Stage);

/// <summary>
/// Runs the registered stages as one hosted service. They start sinks first (publish, classify, enrich, route, then
/// the source) and stop in flow order, the source first, each stop waiting for that stage to finish what its input
/// channel holds: so the rest drain within <c>HostOptions.ShutdownTimeout</c>. The order comes from each
/// stage's <see cref="PipelinePosition"/>, not from the order the components were added or the host's own stop order.
/// A stage that fails makes this service fail with its exception, so the host reacts as to a failed
/// <see cref="BackgroundService"/> (<c>BackgroundServiceExceptionBehavior.StopHost</c>).
/// </summary>
public sealed class PipelineStages(IEnumerable<PipelineStageRegistration> registrations, IServiceProvider services) : BackgroundService
{
    private IHostedService[] _stages = [];

    /// <summary>The stages in flow order (the source first), once started.</summary>
    public IReadOnlyList<IHostedService> Stages => _stages;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        _stages = [.. registrations.OrderBy(r => r.Position).Select(r => (IHostedService)services.GetRequiredService(r.Stage))];
        foreach (var stage in _stages.Reverse())
        {
            await stage.StartAsync(cancellationToken);
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var running = _stages.OfType<BackgroundService>().Select(s => s.ExecuteTask).OfType<Task>().ToList();
        while (running.Count > 0)
        {
            var finished = await Task.WhenAny(running).WaitAsync(stoppingToken);
            running.Remove(finished);
            if (finished.IsFaulted)
            {
                await finished; // rethrows the stage's own exception
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        List<Exception>? failures = null;
        foreach (var stage in _stages)
        {
            try
            {
                await stage.StopAsync(cancellationToken);
            }
            catch (Exception ex)
            {
                // The host goes on stopping the other services after one fails; so do the stages.
                (failures ??= []).Add(ex);
            }
        }

        await base.StopAsync(cancellationToken);
        if (failures is not null)
        {
            throw new AggregateException("pipeline stages failed to stop", failures);
        }
    }
}
