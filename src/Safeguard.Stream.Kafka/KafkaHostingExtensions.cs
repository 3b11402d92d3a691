using Microsoft.Extensions.DependencyInjection;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.Core.Redaction;
using Safeguard.Stream.Kafka;

namespace Microsoft.Extensions.Hosting;

public static class KafkaHostingExtensions
{
    public static IHostApplicationBuilder AddSafeguardKafka(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<KafkaOptions>().BindConfiguration(KafkaOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<KafkaVerdictSink>();
        builder.Services.AddSingleton<IResultSink>(sp => sp.GetRequiredService<KafkaVerdictSink>());
        builder.Services.AddSingleton<IRedactionPublisher>(sp => sp.GetRequiredService<KafkaVerdictSink>());
        return builder;
    }
}
