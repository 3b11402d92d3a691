using Safeguard.Stream.Core.Tagging;
namespace Microsoft.Extensions.Hosting;

public static class CoreHostingExtensions
{
    /// <summary>The publish stage's retry of a batch write to the sinks (<see cref="OutageBackoff"/>, from 200 ms).</summary>
    public const string PublishSinksPipelineKey = "safeguard-publish-sinks";

    /// <summary>The publish stage's retry of a checkpoint write (<see cref="OutageBackoff"/>, from 200 ms).</summary>
    public const string PublishCheckpointPipelineKey = "safeguard-publish-checkpoint";

    /// <summary>Shared pipeline state (channels, watermark, tally, telemetry), the router and the redactor.</summary>
    public static IHostApplicationBuilder AddSafeguardCore(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddValidatedOptions<PipelineOptions, PipelineOptionsValidator>(PipelineOptions.SectionName);
        builder.Services.AddValidatedOptions<FilterOptions, FilterOptionsValidator>(FilterOptions.SectionName);
        builder.Services.TryAddSafeguardTelemetry();
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

    /// <summary>The publish stage, last in the flow: it starts first and stops last, after the stages before it drained.</summary>
    public static IHostApplicationBuilder AddSafeguardPublishStage(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddResiliencePipeline(PublishSinksPipelineKey, (pipeline, context) => PublishStage.ConfigureSinkRetry(pipeline, context.ServiceProvider));
        builder.Services.AddResiliencePipeline(PublishCheckpointPipelineKey, (pipeline, context) => PublishStage.ConfigureCheckpointRetry(pipeline, context.ServiceProvider));
        builder.Services.AddPipelineStage<PublishStage>(PipelinePosition.Publish);
        return builder;
    }

    /// <summary>
    /// The tagger's rules: <see cref="TaggerOptions"/> (validated at start, against the policies too: a restricted
    /// policy is refused), <see cref="VerdictTagger"/> with its retry (<see cref="VerdictTagger.RetryPipelineKey"/>),
    /// its state and tally. The Kafka component's <c>AddSafeguardTagger</c> adds the consumer that feeds it.
    /// </summary>
    public static IHostApplicationBuilder AddSafeguardTaggingRules(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddValidatedOptions<TaggerOptions, TaggerOptionsValidator, TaggerOptionsCustomValidator>(TaggerOptions.SectionName);
        builder.Services.TryAddSafeguardTelemetry();
        builder.Services.TryAddSingleton<TaggerState>();
        builder.Services.TryAddSingleton<TaggerTally>();
        builder.Services.TryAddSingleton<VerdictTagger>();
        builder.Services.AddResiliencePipeline(VerdictTagger.RetryPipelineKey, (pipeline, context) => VerdictTagger.ConfigureRetry(pipeline, context.ServiceProvider));
        return builder;
    }

    public static IHostApplicationBuilder AddSafeguardRoutingStage(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddPipelineStage<RoutingStage>(PipelinePosition.Routing);
        return builder;
    }
}
