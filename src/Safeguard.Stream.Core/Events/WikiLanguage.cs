namespace Safeguard.Stream.Core.Events;

public static class WikiLanguage
{
    // Projects whose first label is not a language code. Wikidata, Commons and meta are multilingual.
    private static readonly HashSet<string> s_nonLanguageHosts = new(StringComparer.OrdinalIgnoreCase)
    {
        "www", "commons", "meta", "species", "incubator", "test", "test2", "api", "m", "outreach", "foundation", "canary",
    };

    public static string? FromDomain(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var dot = domain.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
        {
            return null;
        }

        var first = domain[..dot];
        if (s_nonLanguageHosts.Contains(first) || domain.EndsWith(".wikidata.org", StringComparison.OrdinalIgnoreCase) ||
            domain.Equals("wikidata.org", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return first.ToLowerInvariant();
    }
}
