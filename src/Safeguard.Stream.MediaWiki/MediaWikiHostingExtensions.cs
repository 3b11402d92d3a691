using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Safeguard.Stream.MediaWiki;

namespace Microsoft.Extensions.Hosting;

public static partial class MediaWikiHostingExtensions
{
    /// <summary>
    /// The enrichment stage's hold of an edit while its wiki is down (<see cref="OutageBackoff"/> from 1 s, for up to
    /// <c>OutageWait</c>). It retries whole fetches after the HTTP pipeline has given up on a request; the HTTP pipeline
    /// (<c>MaxRetries</c>) is the only layer that retries a single request.
    /// </summary>
    public const string EnrichmentOutagePipelineKey = "safeguard-enrich-outage";

    /// <summary>
    /// The Action API client. One typed <see cref="HttpClient"/>; its resilience pipeline is selected per wiki
    /// (the event's domain), so each wiki has its own circuit breaker, and a handler under it holds each wiki to its
    /// request rate on every attempt. Retries (exponential, jittered) honour <c>Retry-After</c> on maxlag, 429 and 503.
    /// </summary>
    public static IHostApplicationBuilder AddSafeguardMediaWiki(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddValidatedOptions<MediaWikiOptions, MediaWikiOptionsValidator>(MediaWikiOptions.SectionName);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MediaWikiOptions>, MediaWikiOptionsCustomValidator>());
        builder.Services.TryAddSafeguardTelemetry();
        builder.Services.TryAddSingleton<ITokenCounter, O200kTokenCounter>();
        builder.Services.TryAddSingleton<WikiRateLimiters>();
        builder.Services.TryAddTransient<WikiApiAttemptHandler>();

        var http = builder.Services.AddHttpClient<MediaWikiClient>((sp, client) =>
            {
                var options = sp.GetRequiredService<IOptions<MediaWikiOptions>>().Value;
                client.DefaultRequestHeaders.UserAgent.ParseAdd(options.UserAgent);
                client.DefaultRequestHeaders.Accept.ParseAdd("application/json");
                client.Timeout = Timeout.InfiniteTimeSpan; // the resilience pipeline owns timeouts
            })
            // API:Etiquette asks for compressed responses.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AutomaticDecompression = DecompressionMethods.All,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            });
        http.AddStandardResilienceHandler()
            .Configure((resilience, sp) => ConfigureResilience(
                resilience,
                sp.GetRequiredService<IOptions<MediaWikiOptions>>().Value,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<MediaWikiClient>>()))
            .SelectPipelineBy(_ => WikiApiRequest.WikiOf);
        http.AddHttpMessageHandler<WikiApiAttemptHandler>(); // below the pipeline: sees every attempt
        return builder;
    }

    public static IHostApplicationBuilder AddSafeguardEnrichmentStage(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddResiliencePipeline<string, DiffFetchResult>(
            EnrichmentOutagePipelineKey, (pipeline, context) => EnrichmentStage.ConfigureOutageRetry(pipeline, context.ServiceProvider));
        builder.Services.AddPipelineStage<EnrichmentStage>(PipelinePosition.Enrichment);
        return builder;
    }

    internal static void ConfigureResilience(HttpStandardResilienceOptions resilience, MediaWikiOptions options, TimeProvider timeProvider, ILogger logger)
    {
        resilience.AttemptTimeout.Timeout = options.AttemptTimeout;
        resilience.TotalRequestTimeout.Timeout = options.TotalTimeout;

        resilience.Retry.MaxRetryAttempts = Math.Max(1, options.MaxRetries);
        resilience.Retry.BackoffType = DelayBackoffType.Exponential;
        resilience.Retry.UseJitter = true;
        resilience.Retry.Delay = options.RetryBaseDelay;
        resilience.Retry.MaxDelay = options.MaxRetryAfter;
        // maxlag comes back as HTTP 200 with the error code in a header; it is as transient as a 503.
        resilience.Retry.ShouldHandle = args => ValueTask.FromResult(
            options.MaxRetries > 0 &&
            (HttpClientResiliencePredicates.IsTransient(args.Outcome) || args.Outcome.Result is { } response && WikiApiRequest.IsMaxLag(response)));
        resilience.Retry.DelayGenerator = args => ValueTask.FromResult(
            args.Outcome.Result is { } response ? WikiApiRequest.RequestedDelay(response, timeProvider.GetUtcNow(), options.MaxRetryAfter) : null);
        resilience.Retry.OnRetry = args =>
        {
            var status = args.Outcome.Result is { } response ? WikiApiRequest.OutcomeOf(response) : args.Outcome.Exception?.GetType().Name ?? "unknown";
            Log.BackingOff(logger, args.Context.GetRequestMessage() is { } request ? WikiApiRequest.WikiOf(request) : "?", status, args.RetryDelay, args.AttemptNumber + 1);
            return ValueTask.CompletedTask;
        };

        options.ApplyTo(resilience.CircuitBreaker);

        // Concurrency is bounded by the enrichment stage and the rate per wiki by WikiApiAttemptHandler.
        resilience.RateLimiter.DefaultRateLimiterOptions.PermitLimit = 10_000;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, EventName = "ApiBackoff", Level = LogLevel.Information,
            Message = "Wiki API of {Domain} answered {Outcome}; retry {Retry} in {Delay}")]
        public static partial void BackingOff(ILogger logger, string domain, string outcome, TimeSpan delay, int retry);
    }
}
