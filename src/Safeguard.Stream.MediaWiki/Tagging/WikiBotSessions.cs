using System.Collections.Concurrent;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Safeguard.Stream.MediaWiki.Tagging;

/// <summary>
/// What the tag client keeps per wiki for the life of the process: the session cookies (HTTP handlers are recycled by
/// the client factory, so the cookies cannot live in a handler), the CSRF token, the write rate limit, and the last
/// sign-in or permission problem (for health).
/// </summary>
internal sealed class WikiBotSessions(IOptions<WikiTagClientOptions> options) : IDisposable
{
    private readonly ConcurrentDictionary<string, WikiBotSession> _sessions = new(StringComparer.OrdinalIgnoreCase);

    public WikiBotSession For(string wiki) => _sessions.GetOrAdd(wiki, static (_, perSecond) => new WikiBotSession(perSecond), options.Value.RequestsPerSecond);

    /// <summary>Wikis whose last sign-in or write was refused, with why (no secret in it).</summary>
    public IReadOnlyDictionary<string, string> Problems =>
        _sessions.Where(s => s.Value.Problem is not null).ToDictionary(s => s.Key, s => s.Value.Problem!, StringComparer.OrdinalIgnoreCase);

    public void Dispose()
    {
        foreach (var session in _sessions.Values)
        {
            session.Dispose();
        }
    }
}

/// <summary>One wiki's session. <see cref="Gate"/> serialises signing in and fetching the token.</summary>
internal sealed class WikiBotSession : IDisposable
{
    public WikiBotSession(double writesPerSecond)
    {
        // One token a period: writes are spaced, not burst (a burst of tags is what the bot policy asks bots to avoid).
        Writes = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = 1,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1 / writesPerSecond),
            QueueLimit = 10_000,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    public SemaphoreSlim Gate { get; } = new(1, 1);

    public RateLimiter Writes { get; }

    public CookieContainer Cookies { get; private set; } = new();

    public bool SignedIn { get; set; }

    public string? CsrfToken { get; set; }

    public string? Problem { get; set; }

    /// <summary>Forgets the session: the next request signs in again.</summary>
    public void Reset()
    {
        Cookies = new CookieContainer();
        SignedIn = false;
        CsrfToken = null;
    }

    public void Dispose()
    {
        Gate.Dispose();
        Writes.Dispose();
    }
}
