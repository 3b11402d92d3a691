using System.Text.RegularExpressions;

namespace Safeguard.Stream.MediaWiki;

/// <summary>
/// The MediaWiki Action API client. The circuit breaker (one per wiki; its <c>BreakerSamplingDuration</c> must be at
/// least twice <see cref="AttemptTimeout"/>) and <c>MaxRetryAfter</c> are the shared <see cref="TransportResilienceOptions"/>.
/// </summary>
public sealed class MediaWikiOptions : TransportResilienceOptions
{
    public const string SectionName = "Safeguard:MediaWiki";

    /// <summary>Action API URL; <c>{domain}</c> is replaced by the event's own (allowlisted) domain.</summary>
    [Required]
    public string ApiUrlTemplate { get; set; } = "https://{domain}/w/api.php";

    /// <summary>The Wikimedia project domains, used when <see cref="AllowedDomains"/> is not configured.</summary>
    public static IReadOnlyList<string> DefaultAllowedDomains { get; } =
    [
        "*.wikipedia.org", "*.wiktionary.org", "*.wikibooks.org", "*.wikinews.org", "*.wikiquote.org", "*.wikisource.org",
        "*.wikiversity.org", "*.wikivoyage.org", "*.wikimedia.org", "www.wikidata.org", "test.wikidata.org",
        "www.mediawiki.org", "www.wikifunctions.org",
    ];

    /// <summary>
    /// Domains the worker may call; <c>*.wikipedia.org</c> matches any subdomain. Anything else is refused and counted,
    /// so a crafted event cannot point the worker at another host. Empty (the default) means
    /// <see cref="DefaultAllowedDomains"/>; a configured list replaces the defaults rather than adding to them
    /// (the configuration binder appends to a list that already has items).
    /// </summary>
    public IList<string> AllowedDomains { get; } = [];

    public IReadOnlyList<string> EffectiveAllowedDomains => AllowedDomains.Count > 0 ? [.. AllowedDomains] : DefaultAllowedDomains;

    /// <summary>
    /// Wikimedia's User-Agent policy asks for a descriptive agent with contact information (an e-mail address or a
    /// URL), e.g. <c>Safeguard.Stream/1.0 (https://example.org/safeguard; ops@example.org)</c>. Checked at start.
    /// </summary>
    [Required]
    [MinLength(10)]
    public string UserAgent { get; set; } = "Safeguard.Stream/0.1 (https://github.com/safeguard-stream; safeguard-ops@example.org)";

    /// <summary>Seconds of replica lag above which the API asks us to back off (the <c>maxlag</c> parameter; 5 is Wikimedia's advice).</summary>
    [Range(1, 60)]
    public int MaxLagSeconds { get; set; } = 5;

    /// <summary>Times a <c>nosuchrevid</c> (or <c>badrevids</c>) right after the event is retried (replica lag) before the edit is skipped.</summary>
    [Range(0, 10)]
    public int MissingRevisionRetries { get; set; } = 2;

    /// <summary>Wait before the first retry of a missing revision; doubles for each further one.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan MissingRevisionDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Edits enriched at once, over all wikis.</summary>
    [Range(1, 256)]
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>
    /// How long an edit is held and retried while its wiki's API is unavailable (5xx, timeouts, open circuit, rate
    /// limited) before it is dead-lettered. Holding applies backpressure instead of dead-lettering a short outage.
    /// </summary>
    public TimeSpan OutageWait { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Requests per second to one wiki's API, every retry included (a token bucket per wiki; excess requests wait).</summary>
    [Range(0.1, 1000)]
    public double RequestsPerSecondPerWiki { get; set; } = 10;

    /// <summary>Retries per request for transient failures (HTTP 5xx, 408, 429, maxlag, timeouts, connection errors), with exponential backoff and jitter.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 4;

    /// <summary>First retry delay when the server gives no <c>Retry-After</c>; doubles per retry, with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>One attempt's limit.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>One request's limit, retries and their waits included.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:30:00")]
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// o200k tokens of diff text kept for the model (added text first, then removed, then context); beyond it the
    /// diff is cut, the prompt says so and the verdict records it.
    /// </summary>
    [Range(64, 100_000)]
    public int MaxDiffTokens { get; set; } = 2_000;
}

[OptionsValidator]
internal sealed partial class MediaWikiOptionsValidator : IValidateOptions<MediaWikiOptions>
{
}

/// <summary>Cross-field rules of <see cref="MediaWikiOptions"/>; each failure names its key.</summary>
internal sealed partial class MediaWikiOptionsCustomValidator : IValidateOptions<MediaWikiOptions>
{
    public ValidateOptionsResult Validate(string? name, MediaWikiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var section = MediaWikiOptions.SectionName;
        if (!ContactInformation().IsMatch(options.UserAgent ?? string.Empty))
        {
            failures.Add($"{section}:UserAgent must carry contact information (an e-mail address or an http(s) URL), as Wikimedia's User-Agent policy requires");
        }

        var template = options.ApiUrlTemplate ?? string.Empty;
        if (!template.Contains("{domain}", StringComparison.Ordinal) ||
            !Uri.TryCreate(template.Replace("{domain}", "en.wikipedia.org", StringComparison.Ordinal), UriKind.Absolute, out var uri) ||
            uri.Scheme is not ("https" or "http"))
        {
            failures.Add($"{section}:ApiUrlTemplate must be an absolute http(s) URL containing '{{domain}}'");
        }

        if (options.AllowedDomains.Any(d => string.IsNullOrWhiteSpace(d) || d.Trim() is "*" or "*."))
        {
            failures.Add($"{section}:AllowedDomains must list Wikimedia project domains ('*.wikipedia.org' or exact names); a bare '*' is not allowed");
        }

        if (options.TotalTimeout <= options.AttemptTimeout)
        {
            failures.Add($"{section}:TotalTimeout must exceed 'AttemptTimeout'");
        }

        if (options.BreakerSamplingDuration < 2 * options.AttemptTimeout)
        {
            failures.Add($"{section}:BreakerSamplingDuration must be at least twice 'AttemptTimeout'");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex(@"[^\s@()<>;,]+@[^\s@()<>;,]+\.[A-Za-z]{2,}|https?://[^\s()<>;,]+\.[^\s()<>;,]+", RegexOptions.CultureInvariant)]
    private static partial Regex ContactInformation();
}
