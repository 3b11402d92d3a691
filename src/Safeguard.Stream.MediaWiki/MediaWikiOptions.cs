using System.ComponentModel.DataAnnotations;

namespace Safeguard.Stream.MediaWiki;

public sealed class MediaWikiOptions
{
    public const string SectionName = "Safeguard:MediaWiki";

    /// <summary>Action API URL; <c>{domain}</c> is replaced by the event's own (allowlisted) domain.</summary>
    [Required]
    public string ApiUrlTemplate { get; set; } = "https://{domain}/w/api.php";

    /// <summary>
    /// Domains the worker may call. <c>*.wikipedia.org</c> matches any subdomain. Anything else is refused and
    /// counted, so a crafted event cannot point the worker at another host.
    /// </summary>
    public IList<string> AllowedDomains { get; } =
    [
        "*.wikipedia.org", "*.wiktionary.org", "*.wikibooks.org", "*.wikinews.org", "*.wikiquote.org", "*.wikisource.org",
        "*.wikiversity.org", "*.wikivoyage.org", "*.wikimedia.org", "www.wikidata.org", "test.wikidata.org",
        "www.mediawiki.org", "www.wikifunctions.org",
    ];

    /// <summary>
    /// Wikimedia's User-Agent policy asks for a descriptive agent with contact information,
    /// e.g. <c>Safeguard.Stream/1.0 (https://example.org/safeguard; ops@example.org)</c>.
    /// </summary>
    [Required]
    [MinLength(10)]
    public string UserAgent { get; set; } = "Safeguard.Stream/0.1 (https://github.com/safeguard-stream; safeguard-ops@example.org)";

    /// <summary>Seconds of replica lag above which the API asks us to back off (the <c>maxlag</c> parameter).</summary>
    [Range(1, 60)]
    public int MaxLagSeconds { get; set; } = 5;

    /// <summary>Times a <c>nosuchrevid</c> right after the event is retried (replica lag) before the edit is skipped.</summary>
    [Range(0, 10)]
    public int MissingRevisionRetries { get; set; } = 2;

    public TimeSpan MissingRevisionDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest wait honoured from a <c>Retry-After</c> before giving up on the request.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    [Range(1, 256)]
    public int MaxConcurrency { get; set; } = 8;
}
