using Safeguard.Stream.Kafka;
using Safeguard.Stream.Kafka.Source;

namespace Microsoft.Extensions.Hosting;

public static class KafkaHostingExtensions
{
    /// <summary>The verdict producer (a result sink and the redaction publisher) and the cluster's readiness check.</summary>
    public static IHostApplicationBuilder AddSafeguardKafka(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddValidatedOptions<KafkaOptions, KafkaOptionsValidator>(KafkaOptions.SectionName);
        builder.Services.TryAddSafeguardTelemetry();
        builder.Services.AddSingleton<KafkaVerdictSink>();
        builder.Services.AddSingleton<IResultSink>(sp => sp.GetRequiredService<KafkaVerdictSink>());
        builder.Services.AddSingleton<IRedactionPublisher>(sp => sp.GetRequiredService<KafkaVerdictSink>());
        builder.Services.TryAddSingleton<KafkaHealthCheck>();
        builder.Services.AddHealthChecks().AddCheck<KafkaHealthCheck>(KafkaHealthCheck.Name, tags: [ComponentRegistration.ReadyTag]);
        return builder;
    }

    /// <summary>The Kafka source (consumer group). Whether it runs is chosen by <c>Safeguard:Source:Kind</c>.</summary>
    public static IHostApplicationBuilder AddSafeguardKafkaSource(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddValidatedOptions<KafkaSourceOptions, KafkaSourceOptionsValidator>(KafkaSourceOptions.SectionName);
        builder.Services.TryAddSafeguardTelemetry();
        builder.Services.AddSingleton<KafkaEventSource>();
        return builder;
    }
}
