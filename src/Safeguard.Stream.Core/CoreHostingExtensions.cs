using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Polly;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.Core.Policies;
using Safeguard.Stream.Core.Redaction;
using Safeguard.Stream.Core.Routing;
using Safeguard.Stream.Core.Telemetry;

namespace Microsoft.Extensions.Hosting;

public static class CoreHostingExtensions
{
    /// <summary>The publish stage's retry of a batch write to the sinks (<see cref="OutageBackoff"/>, from 200 ms).</summary>
    public const string PublishSinksPipelineKey = "safeguard-publish-sinks";

    /// <summary>The publish stage's retry of a checkpoint write (<see cref="OutageBackoff"/>, from 200 ms).</summary>
    public const string PublishCheckpointPipelineKey = "safeguard-publish-checkpoint";

    /// <summary>Shared pipeline state (channels, watermark, tally, telemetry) and the routing stage.</summary>
    public static IHostApplicationBuilder AddSafeguardCore(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<PipelineOptions>().BindConfiguration(PipelineOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<FilterOptions>().BindConfiguration(FilterOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<SafeguardTelemetry>();
        builder.Services.TryAddSingleton<PipelineChannels>();
        builder.Services.TryAddSingleton<CompletionWatermark>();
        builder.Services.TryAddSingleton<PipelineTally>();
        builder.Services.TryAddSingleton<PipelineCompletion>();
        // Stores and publishers of redactions are added by the Postgres and Kafka components; without them it does nothing.
        builder.Services.TryAddSingleton<RevisionRedactor>();
        builder.Services.TryAddSingleton(sp => new EditRouter(
            sp.GetRequiredService<IOptions<FilterOptions>>().Value,
            sp.GetRequiredService<IPolicyCatalog>().Policies));
        return builder;
    }

    /// <summary>Registers the publish stage. Call after the sinks are registered, first among stages, so it stops last.</summary>
    public static IHostApplicationBuilder AddSafeguardPublishStage(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddResiliencePipeline(PublishSinksPipelineKey, (pipeline, context) => PublishStage.ConfigureSinkRetry(pipeline, context.ServiceProvider));
        builder.Services.AddResiliencePipeline(PublishCheckpointPipelineKey, (pipeline, context) => PublishStage.ConfigureCheckpointRetry(pipeline, context.ServiceProvider));
        builder.Services.AddHostedService<PublishStage>();
        return builder;
    }

    public static IHostApplicationBuilder AddSafeguardRoutingStage(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddHostedService<RoutingStage>();
        return builder;
    }
}
