using System.Net;

namespace Safeguard.Stream.MediaWiki;

/// <summary>
/// What the HTTP pipeline needs to know about an Action API request: which wiki it is for (the circuit breaker and the
/// rate limit are per wiki) and which API action (metrics). Set by <see cref="MediaWikiClient"/> on each request.
/// </summary>
internal static class WikiApiRequest
{
    public static readonly HttpRequestOptionsKey<string> Wiki = new("safeguard.wiki");
    public static readonly HttpRequestOptionsKey<string> Action = new("safeguard.wiki_api.action");

    /// <summary>The pipeline key: the wiki's domain, else the host (requests made outside the client).</summary>
    public static string WikiOf(HttpRequestMessage request) =>
        request.Options.TryGetValue(Wiki, out var wiki) ? wiki : request.RequestUri?.Host ?? string.Empty;

    public static string ActionOf(HttpRequestMessage request) =>
        request.Options.TryGetValue(Action, out var action) ? action : "unknown";

    /// <summary>MediaWiki names the error code of a failed API call in this header, so no body has to be read to see it.</summary>
    public static string? ApiError(HttpResponseMessage response) =>
        response.Headers.TryGetValues("MediaWiki-API-Error", out var values) ? values.FirstOrDefault() : null;

    public static bool IsMaxLag(HttpResponseMessage response) => ApiError(response) is "maxlag";

    /// <summary>
    /// How long the server asked us to wait, capped at <paramref name="max"/>: <c>Retry-After</c> in seconds or as a date;
    /// for <c>maxlag</c> without the header, 5 s (Wikimedia: "pause your script for at least 5 seconds"). Null when the
    /// server did not ask, so the retry's own exponential backoff applies.
    /// </summary>
    public static TimeSpan? RequestedDelay(HttpResponseMessage response, DateTimeOffset now, TimeSpan max)
    {
        TimeSpan? delay = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
            _ => null,
        };
        if (delay is null && IsMaxLag(response))
        {
            delay = TimeSpan.FromSeconds(5);
        }

        return delay is { } d ? (d > max ? max : d) : null;
    }

    /// <summary>The outcome tag of one attempt's response.</summary>
    public static string OutcomeOf(HttpResponseMessage response) => response.StatusCode switch
    {
        HttpStatusCode.OK when ApiError(response) is "maxlag" => "maxlag",
        HttpStatusCode.OK when ApiError(response) is not null => "api_error",
        HttpStatusCode.OK => "ok",
        HttpStatusCode.TooManyRequests => "throttled",
        >= HttpStatusCode.InternalServerError => "server_error",
        _ => "http_error",
    };
}
