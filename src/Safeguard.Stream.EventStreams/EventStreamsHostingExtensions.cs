using Safeguard.Stream.EventStreams;

namespace Microsoft.Extensions.Hosting;

public static class EventStreamsHostingExtensions
{
    /// <summary>
    /// The SSE and file sources, their options and the source's readiness check. Which source runs
    /// (<c>Safeguard:Source:Kind</c>) is chosen by the composition root, which also knows the Kafka source.
    /// </summary>
    public static IHostApplicationBuilder AddSafeguardEventStreams(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddValidatedOptions<SourceOptions, SourceOptionsValidator>(SourceOptions.SectionName);
        builder.Services.TryAddSafeguardTelemetry();

        // The SSE client gets no standard resilience handler: a stream must not be cut by a request timeout.
        builder.Services.AddHttpClient(EventStreamsSource.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan);
        builder.Services.AddSingleton<FileEventSource>();
        builder.Services.AddSingleton<EventStreamsSource>();
        builder.Services.AddHealthChecks().AddCheck<SourceHealthCheck>(SourceHealthCheck.Name, tags: [ComponentRegistration.ReadyTag]);
        return builder;
    }
}
