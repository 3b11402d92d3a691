using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Safeguard.Stream.Core.Tagging;
using Safeguard.Stream.MediaWiki;
using Safeguard.Stream.MediaWiki.LiftWing;
using Safeguard.Stream.MediaWiki.Tagging;

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
        AddWikiApiShared(builder.Services);
        builder.Services.TryAddSingleton<ITokenCounter, O200kTokenCounter>();
        AddWikiApiClient<MediaWikiClient>(builder.Services, useCookies: true);
        AddLiftWingClient(builder.Services);
        return builder;
    }

    /// <summary>
    /// The change-tag client (<see cref="IWikiTagger"/>) and <see cref="WikiTagAdmin"/> (<c>safeguard tags create</c>),
    /// signed in as the account of <c>Safeguard:Tagging</c> (a BotPassword or an OAuth 2.0 access token, exactly one,
    /// checked at start), on the same per-wiki HTTP pipeline as the diff client with writes held to
    /// <c>Safeguard:Tagging:RequestsPerSecond</c>. Health is degraded while a wiki refuses the sign-in or the tag right.
    /// </summary>
    public static IHostApplicationBuilder AddSafeguardWikiTagging(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Services.Any(d => d.ServiceType == typeof(WikiBotSessions)))
        {
            return builder; // already added: a second HTTP client registration would stack a second resilience handler
        }

        AddWikiApiShared(builder.Services);
        builder.Services.AddValidatedOptions<WikiTagClientOptions, WikiTagClientOptionsValidator, WikiTagClientOptionsCustomValidator>(WikiTagClientOptions.SectionName);
        builder.Services.TryAddSingleton<WikiBotSessions>();
        // Cookies are kept per wiki in WikiBotSessions, not in the (recycled) handler.
        AddWikiApiClient<WikiBotConnection>(builder.Services, useCookies: false);
        builder.Services.TryAddTransient<IWikiTagger, WikiTagClient>();
        builder.Services.TryAddTransient(sp => new WikiTagAdmin(
            sp.GetRequiredService<WikiBotConnection>(), sp.GetRequiredService<IOptions<WikiTagClientOptions>>(), sp.GetRequiredService<IOptions<MediaWikiOptions>>()));
        builder.Services.TryAddSingleton<WikiTaggingHealthCheck>();
        builder.Services.AddHealthChecks().AddCheck<WikiTaggingHealthCheck>(WikiTaggingHealthCheck.Name, tags: [ComponentRegistration.ReadyTag]);
        return builder;
    }

    /// <summary>What every Action API client shares: the wiki options, telemetry, the per-wiki read rate limits. Safe to repeat.</summary>
    private static void AddWikiApiShared(IServiceCollection services)
    {
        services.AddValidatedOptions<MediaWikiOptions, MediaWikiOptionsValidator, MediaWikiOptionsCustomValidator>(MediaWikiOptions.SectionName);
        services.TryAddSafeguardTelemetry();
        services.TryAddSingleton<WikiRateLimiters>();
        services.TryAddTransient<WikiApiAttemptHandler>();
    }

    /// <summary>
    /// A typed Action API client: the User-Agent with contact information, compressed answers, and the per-wiki
    /// resilience pipeline (one per client type) over <see cref="WikiApiAttemptHandler"/>.
    /// </summary>
    private static void AddWikiApiClient<TClient>(IServiceCollection services, bool useCookies)
        where TClient : class
    {
        var http = AddWikimediaHttpClient<TClient>(services, useCookies);
        http.AddStandardResilienceHandler()
            .Configure((resilience, sp) => ConfigureResilience(
                resilience,
                sp.GetRequiredService<IOptions<MediaWikiOptions>>().Value,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<TClient>>()))
            .SelectPipelineBy(_ => WikiApiRequest.WikiOf);
        http.AddHttpMessageHandler<WikiApiAttemptHandler>(); // below the pipeline: sees every attempt
    }

    /// <summary>
    /// An HTTP client for a Wikimedia API, the wiki clients' and LiftWing's alike: the User-Agent with contact
    /// information (API:Etiquette), JSON, compressed answers, and no client timeout (each one's resilience pipeline
    /// owns timeouts). Without IHttpClientFactory's per-request logging handlers: they log only at Information and
    /// below, which the worker filters out anyway ("System.Net.Http.HttpClient": Warning), yet each request paid for
    /// their scopes and checks (~3 % of the worker's CPU in BENCHMARKS.md's profile). Every attempt is still counted
    /// and its failures logged by <see cref="WikiApiAttemptHandler"/> and the resilience pipeline.
    /// </summary>
    private static IHttpClientBuilder AddWikimediaHttpClient<TClient>(IServiceCollection services, bool useCookies)
        where TClient : class =>
        services.AddHttpClient<TClient>((sp, client) =>
            {
                client.DefaultRequestHeaders.UserAgent.ParseAdd(sp.GetRequiredService<IOptions<MediaWikiOptions>>().Value.UserAgent);
                client.DefaultRequestHeaders.Accept.ParseAdd("application/json");
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AutomaticDecompression = DecompressionMethods.All,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                UseCookies = useCookies,
            })
            .RemoveAllLoggers();

    /// <summary>
    /// LiftWing's revert-risk client (<c>Safeguard:LiftWing</c>), for the policies' gates: the wiki clients' User-Agent,
    /// and its own resilience pipeline, bounded by <c>Timeout</c> in all (retries included), with a circuit breaker so
    /// that while LiftWing is down edits fail open at once instead of each waiting out the timeout.
    /// </summary>
    private static void AddLiftWingClient(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(LiftWingClient)))
        {
            return; // a second registration would stack a second resilience handler
        }

        services.AddValidatedOptions<LiftWingOptions, LiftWingOptionsValidator, LiftWingOptionsCustomValidator>(LiftWingOptions.SectionName);
        AddWikimediaHttpClient<LiftWingClient>(services, useCookies: false)
            .AddStandardResilienceHandler()
            .Configure((resilience, sp) => ConfigureLiftWingResilience(
                resilience, sp.GetRequiredService<IOptions<LiftWingOptions>>().Value, sp.GetRequiredService<ILogger<LiftWingClient>>()));
    }

    internal static void ConfigureLiftWingResilience(HttpStandardResilienceOptions resilience, LiftWingOptions options, ILogger logger)
    {
        resilience.TotalRequestTimeout.Timeout = options.Timeout;
        resilience.AttemptTimeout.Timeout = options.Timeout;
        resilience.Retry.MaxRetryAttempts = Math.Max(1, options.MaxRetries);
        resilience.Retry.BackoffType = DelayBackoffType.Exponential;
        resilience.Retry.UseJitter = true;
        resilience.Retry.Delay = TimeSpan.FromMilliseconds(50);
        resilience.Retry.MaxDelay = options.MaxRetryAfter < options.Timeout ? options.MaxRetryAfter : options.Timeout;
        resilience.Retry.ShouldHandle = args => ValueTask.FromResult(options.MaxRetries > 0 && HttpClientResiliencePredicates.IsTransient(args.Outcome));
        options.ApplyTo(resilience.CircuitBreaker);
        resilience.CircuitBreaker.OnOpened = args =>
        {
            Log.GateCircuitOpened(logger, args.BreakDuration);
            return ValueTask.CompletedTask;
        };
        resilience.CircuitBreaker.OnClosed = _ =>
        {
            Log.GateCircuitClosed(logger);
            return ValueTask.CompletedTask;
        };
        resilience.RateLimiter.DefaultRateLimiterOptions.PermitLimit = 10_000;
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

        [LoggerMessage(EventId = 2302, EventName = "GateCircuitOpened", Level = LogLevel.Warning,
            Message = "LiftWing keeps failing: revert-risk gates fail open (edits go to the model unscored) for {BreakDuration}, then one request tests it")]
        public static partial void GateCircuitOpened(ILogger logger, TimeSpan breakDuration);

        [LoggerMessage(EventId = 2303, EventName = "GateCircuitClosed", Level = LogLevel.Information, Message = "LiftWing answers again: revert-risk gates are scored")]
        public static partial void GateCircuitClosed(ILogger logger);
    }
}
