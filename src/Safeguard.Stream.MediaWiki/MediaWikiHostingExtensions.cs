using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Safeguard.Stream.MediaWiki;

namespace Microsoft.Extensions.Hosting;

public static class MediaWikiHostingExtensions
{
    public static IHostApplicationBuilder AddSafeguardMediaWiki(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<MediaWikiOptions>().BindConfiguration(MediaWikiOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHttpClient<MediaWikiClient>((sp, http) =>
            {
                var options = sp.GetRequiredService<IOptions<MediaWikiOptions>>().Value;
                http.DefaultRequestHeaders.UserAgent.ParseAdd(options.UserAgent);
                http.DefaultRequestHeaders.Accept.ParseAdd("application/json");
                http.Timeout = Timeout.InfiniteTimeSpan; // the resilience handler owns timeouts
            })
            .AddStandardResilienceHandler(o =>
            {
                // Retry-After is honoured by our own loop for 429/503 so the wait is logged and capped.
                o.Retry.ShouldRetryAfterHeader = true;
                o.Retry.MaxRetryAttempts = 3;
            });
        return builder;
    }

    public static IHostApplicationBuilder AddSafeguardEnrichmentStage(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddHostedService<EnrichmentStage>();
        return builder;
    }
}
