using Safeguard.Stream.Core.Tagging;
using Safeguard.Stream.Kafka.Tagging;

namespace Microsoft.Extensions.Hosting;

public static class TaggerHostingExtensions
{
    /// <summary>
    /// <c>safeguard tagger</c>: its options (validated at start against the policies: a restricted policy is refused),
    /// the rules (<see cref="VerdictTagger"/>, its retry registered as <see cref="VerdictTagger.RetryPipelineKey"/>), the
    /// consumer and its health check. It needs an <see cref="IWikiTagger"/> (the MediaWiki project's tag client), an
    /// <see cref="ITaggingStore"/> and the dead-letter sinks (the Postgres and Kafka components), and the policies.
    /// </summary>
    public static IHostApplicationBuilder AddSafeguardTagger(this IHostApplicationBuilder builder, bool drain = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddSafeguardTaggingRules();
        builder.Services.TryAddSingleton(new TaggerRunMode(drain));
        builder.Services.TryAddSingleton<TaggerConsumer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TaggerConsumer>());
        builder.Services.AddHealthChecks().AddCheck<TaggerHealthCheck>(TaggerHealthCheck.Name, tags: [ComponentRegistration.ReadyTag]);
        return builder;
    }
}
