using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Safeguard.Stream.Classification;
using Safeguard.Stream.Classification.Evaluation;
using Safeguard.Stream.Classification.Llm;
using Safeguard.Stream.Classification.Policies;
using Safeguard.Stream.Core.Policies;

namespace Microsoft.Extensions.Hosting;

public static class ClassificationHostingExtensions
{
    /// <summary>Policies (loaded and checked at start) and the model client.</summary>
    public static IHostApplicationBuilder AddSafeguardClassification(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<PoliciesOptions>().BindConfiguration(PoliciesOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<LlmOptions>().BindConfiguration(LlmOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmOptions>, LlmOptionsValidator>());
        // One limiter for every (edit, policy) request of the process; its CurrentLimit and InFlight are for metrics.
        builder.Services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<LlmOptions>>().Value.CreateLimiter());
        builder.Services.TryAddSingleton<PolicyCatalog>();
        builder.Services.TryAddSingleton<IPolicyCatalog>(sp => sp.GetRequiredService<PolicyCatalog>());
        builder.Services.TryAddSingleton<LlmServerStatus>();
        builder.Services.TryAddSingleton<SafeguardClassifierClient>();
        builder.Services.TryAddSingleton<EvalRunner>();
        return builder;
    }

    public static IHostApplicationBuilder AddSafeguardClassificationStage(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddHostedService<ClassificationStage>();
        builder.Services.AddHttpClient(VllmSchedulerProbe.HttpClientName);
        builder.Services.AddHostedService<VllmSchedulerProbe>();
        return builder;
    }
}
