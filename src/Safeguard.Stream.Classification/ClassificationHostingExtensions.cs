using Safeguard.Stream.Classification;
using Safeguard.Stream.Classification.Evaluation;
using Safeguard.Stream.Classification.LoadTest;

namespace Microsoft.Extensions.Hosting;

public static class ClassificationHostingExtensions
{
    /// <summary>
    /// The classification stage's hold of an edit while the model server is down or misconfigured (the outage backoff
    /// from 1 s, unbounded). One request's transient failures are retried by the client's transport layer
    /// (<c>MaxRetries</c>), unusable answers by its answer loop (<c>MaxAttempts</c>); this is the only layer for outages.
    /// </summary>
    public const string ClassificationOutagePipelineKey = "safeguard-classify-outage";

    /// <summary>
    /// The model client's transport pipeline: one request's transient failures, retried up to <c>MaxRetries</c> for one
    /// (edit, policy) over all its answer attempts, under a circuit breaker (<see cref="SafeguardClassifierClient"/>).
    /// </summary>
    public const string ClassificationTransportPipelineKey = "safeguard-classify-transport";

    /// <summary>Policies (loaded and checked at start), the model client and the model server's readiness check.</summary>
    public static IHostApplicationBuilder AddSafeguardClassification(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddSafeguardPolicyCatalog();
        builder.Services.AddValidatedOptions<LlmOptions, LlmOptionsValidator, LlmOptionsCustomValidator>(LlmOptions.SectionName);
        builder.Services.TryAddSafeguardTelemetry();
        // One limiter for every (edit, policy) request of the process; its CurrentLimit and InFlight are for metrics.
        builder.Services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<LlmOptions>>().Value.CreateLimiter());
        builder.Services.AddSafeguardClassifierClient();
        builder.Services.TryAddSingleton<EvalRunner>();
        builder.Services.TryAddSingleton<LoadTestRunner>();
        builder.Services.AddHttpClient(LlmHealthCheck.HttpClientName, http => http.Timeout = ComponentRegistration.HealthProbeTimeout);
        builder.Services.AddHealthChecks().AddCheck<LlmHealthCheck>(LlmHealthCheck.Name, tags: [ComponentRegistration.ReadyTag]);
        return builder;
    }

    /// <summary>The policies alone (loaded and checked at start), for components that read them without the model: the tagger.</summary>
    public static IHostApplicationBuilder AddSafeguardPolicyCatalog(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Services.Any(d => d.ServiceType == typeof(PolicyCatalog)))
        {
            return builder;
        }

        builder.Services.AddValidatedOptions<PoliciesOptions, PoliciesOptionsValidator>(PoliciesOptions.SectionName);
        builder.Services.TryAddSingleton<PolicyCatalog>();
        builder.Services.TryAddSingleton<IPolicyCatalog>(sp => sp.GetRequiredService<PolicyCatalog>());
        return builder;
    }

    /// <summary>
    /// The model client with its transport pipeline (<see cref="ClassificationTransportPipelineKey"/>) and server status,
    /// given its <see cref="LlmOptions"/>, limiter and logging: what <see cref="AddSafeguardClassification"/> registers
    /// for it, and all a tool or test that talks to the model needs.
    /// </summary>
    public static IServiceCollection AddSafeguardClassifierClient(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LlmServerStatus>();
        services.TryAddSingleton<SafeguardClassifierClient>();
        services.AddResiliencePipeline(
            ClassificationTransportPipelineKey, (pipeline, context) => SafeguardClassifierClient.ConfigureTransport(pipeline, context.ServiceProvider));
        return services;
    }

    /// <summary>The classification stage and the probe of the model server's queue that sizes its concurrency.</summary>
    public static IHostApplicationBuilder AddSafeguardClassificationStage(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddResiliencePipeline(
            ClassificationOutagePipelineKey, (pipeline, context) => ClassificationStage.ConfigureOutageRetry(pipeline, context.ServiceProvider));
        builder.Services.AddPipelineStage<ClassificationStage>(PipelinePosition.Classification);
        builder.Services.AddHttpClient(VllmSchedulerProbe.HttpClientName);
        builder.Services.AddHostedService<VllmSchedulerProbe>();
        return builder;
    }
}
