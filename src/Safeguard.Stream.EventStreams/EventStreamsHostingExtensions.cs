using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Safeguard.Stream.EventStreams;

namespace Microsoft.Extensions.Hosting;

public static class EventStreamsHostingExtensions
{
    /// <summary>The configured source (EventStreams or a replay file) and the stage that runs it. Register last: it stops first.</summary>
    public static IHostApplicationBuilder AddSafeguardSource(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<SourceOptions>().BindConfiguration(SourceOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        // The SSE client gets no standard resilience handler: a stream must not be cut by a request timeout.
        builder.Services.AddHttpClient(EventStreamsSource.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan);
        builder.Services.AddSingleton<FileEventSource>();
        builder.Services.AddSingleton<EventStreamsSource>();
        builder.Services.AddSingleton<IEventSource>(sp => sp.GetRequiredService<IOptions<SourceOptions>>().Value.Kind switch
        {
            SourceKind.File => sp.GetRequiredService<FileEventSource>(),
            SourceKind.EventStreams => sp.GetRequiredService<EventStreamsSource>(),
            var other => throw new OptionsValidationException(SourceOptions.SectionName, typeof(SourceOptions),
                [$"Safeguard:Source:Kind '{other}' is not available yet"]),
        });
        builder.Services.AddHostedService<SourceStage>();
        return builder;
    }
}
