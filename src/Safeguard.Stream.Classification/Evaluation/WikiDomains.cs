using System.Text.RegularExpressions;

namespace Safeguard.Stream.Classification.Evaluation;

/// <summary>Wikimedia database names to host names (<c>enwiki</c> → <c>en.wikipedia.org</c>), as the live events carry both.</summary>
public static partial class WikiDomains
{
    private static readonly Dictionary<string, string> s_special = new(StringComparer.OrdinalIgnoreCase)
    {
        ["wikidatawiki"] = "www.wikidata.org",
        ["commonswiki"] = "commons.wikimedia.org",
        ["metawiki"] = "meta.wikimedia.org",
        ["specieswiki"] = "species.wikimedia.org",
        ["mediawikiwiki"] = "www.mediawiki.org",
        ["sourceswiki"] = "wikisource.org",
    };

    // Longest suffix first: "wiktionary" before "wiki".
    private static readonly (string Suffix, string Project)[] s_projects =
    [
        ("wiktionary", "wiktionary.org"), ("wikibooks", "wikibooks.org"), ("wikinews", "wikinews.org"),
        ("wikiquote", "wikiquote.org"), ("wikisource", "wikisource.org"), ("wikiversity", "wikiversity.org"),
        ("wikivoyage", "wikivoyage.org"), ("wiki", "wikipedia.org"),
    ];

    /// <summary>The host name of a wiki database name, or null when the name does not follow the convention.</summary>
    public static string? DomainFor(string wikiId)
    {
        ArgumentNullException.ThrowIfNull(wikiId);
        if (s_special.TryGetValue(wikiId, out var special))
        {
            return special;
        }

        if (!DbName().IsMatch(wikiId))
        {
            return null;
        }

        foreach (var (suffix, project) in s_projects)
        {
            if (wikiId.EndsWith(suffix, StringComparison.Ordinal) && wikiId.Length > suffix.Length)
            {
                return wikiId[..^suffix.Length].Replace('_', '-') + "." + project;
            }
        }

        return null;
    }

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex DbName();
}
