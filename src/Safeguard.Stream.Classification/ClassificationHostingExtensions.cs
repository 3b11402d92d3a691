using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Polly;
using Safeguard.Stream.Classification;
using Safeguard.Stream.Classification.Evaluation;
using Safeguard.Stream.Classification.Llm;
using Safeguard.Stream.Classification.Policies;
using Safeguard.Stream.Core.Hosting;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.Core.Policies;

namespace Microsoft.Extensions.Hosting;

public static class ClassificationHostingExtensions
{
    /// <summary>
    /// The classification stage's hold of an edit while the model server is down or misconfigured (the outage backoff
    /// from 1 s, unbounded). One request's transient failures are retried by the client's transport layer
    /// (<c>MaxRetries</c>), unusable answers by its answer loop (<c>MaxAttempts</c>); this is the only layer for outages.
    /// </summary>
    public const string ClassificationOutagePipelineKey = "safeguard-classify-outage";

    /// <summary>Policies (loaded and checked at start), the model client and the model server's readiness check.</summary>
    public static IHostApplicationBuilder AddSafeguardClassification(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddSafeguardPolicyCatalog();
        builder.Services.AddValidatedOptions<LlmOptions, LlmOptionsValidator>(LlmOptions.SectionName);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmOptions>, LlmOptionsCustomValidator>());
        builder.Services.TryAddSafeguardTelemetry();
        // One limiter for every (edit, policy) request of the process; its CurrentLimit and InFlight are for metrics.
        builder.Services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<LlmOptions>>().Value.CreateLimiter());
        builder.Services.TryAddSingleton<LlmServerStatus>();
        builder.Services.TryAddSingleton<SafeguardClassifierClient>();
        builder.Services.TryAddSingleton<EvalRunner>();
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
