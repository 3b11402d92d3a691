using Safeguard.Stream.Kafka.Source;

namespace Microsoft.Extensions.Hosting;

public static class KafkaSourceHostingExtensions
{
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
