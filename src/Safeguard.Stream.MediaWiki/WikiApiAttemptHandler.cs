using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Polly.RateLimiting;

namespace Safeguard.Stream.MediaWiki;

/// <summary>
/// Sits below the resilience handler, so it sees every attempt on the wire, retries included: it holds each wiki to
/// <see cref="MediaWikiOptions.RequestsPerSecondPerWiki"/> and counts requests by outcome and response bytes.
/// The body is buffered here, which is also what makes its size known.
/// </summary>
internal sealed class WikiApiAttemptHandler(WikiRateLimiters limiters, SafeguardTelemetry telemetry) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var wiki = WikiApiRequest.WikiOf(request);
        var action = new KeyValuePair<string, object?>(SafeguardTelemetry.Tags.ApiAction, WikiApiRequest.ActionOf(request));
        using var lease = await limiters.For(wiki).AcquireAsync(1, cancellationToken);
        if (!lease.IsAcquired)
        {
            telemetry.WikiApiRequests.Add(1, action, new(SafeguardTelemetry.Tags.Outcome, "rate_limited"));
            throw new RateLimiterRejectedException($"more requests to {wiki} are waiting than the rate limit queues");
        }

        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            var outcome = ex is OperationCanceledException ? "timeout" : "transport_error";
            telemetry.WikiApiRequests.Add(1, action, new(SafeguardTelemetry.Tags.Outcome, outcome));
            throw;
        }

        telemetry.WikiApiRequests.Add(1, action, new(SafeguardTelemetry.Tags.Outcome, WikiApiRequest.OutcomeOf(response)));
        telemetry.WikiApiResponseSize.Record(response.Content.Headers.ContentLength ?? 0, action);
        return response;
    }
}

/// <summary>
/// One token bucket per wiki, for the life of the process (HTTP handlers are recycled; the buckets must not be).
/// A bucket holds one second's worth of tokens: short bursts pass, the average stays at the configured rate, and
/// requests beyond it wait their turn.
/// </summary>
internal sealed class WikiRateLimiters(IOptions<MediaWikiOptions> options) : IDisposable
{
    private readonly ConcurrentDictionary<string, RateLimiter> _limiters = new(StringComparer.OrdinalIgnoreCase);

    public RateLimiter For(string wiki) => _limiters.GetOrAdd(wiki, static (_, perSecond) =>
    {
        var tokens = Math.Max(1, (int)Math.Ceiling(perSecond));
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = tokens,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = TimeSpan.FromSeconds(tokens / perSecond),
            QueueLimit = 10_000,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }, options.Value.RequestsPerSecondPerWiki);

    public void Dispose()
    {
        foreach (var limiter in _limiters.Values)
        {
            limiter.Dispose();
        }
    }
}
