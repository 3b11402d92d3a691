using System.Text.RegularExpressions;

namespace Safeguard.Stream.MediaWiki;

/// <summary>Checks an event's domain against the configured Wikimedia project domains before any request is made.</summary>
public sealed partial class DomainAllowlist(IEnumerable<string> patterns)
{
    private readonly string[] _patterns = [.. patterns.Select(p => p.Trim().ToLowerInvariant())];

    public bool IsAllowed(string domain)
    {
        if (string.IsNullOrEmpty(domain) || domain.Length > 253 || !HostName().IsMatch(domain))
        {
            return false;
        }

        var host = domain.ToLowerInvariant();
        foreach (var pattern in _patterns)
        {
            if (pattern.StartsWith("*.", StringComparison.Ordinal))
            {
                var suffix = pattern[1..];
                if (host.EndsWith(suffix, StringComparison.Ordinal) && host.Length > suffix.Length)
                {
                    return true;
                }
            }
            else if (host == pattern)
            {
                return true;
            }
        }

        return false;
    }

    // Letters, digits, hyphens and dots only: no port, no userinfo, no path, no IP literal tricks with brackets.
    [GeneratedRegex(@"\A[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+\z", RegexOptions.IgnoreCase)]
    private static partial Regex HostName();
}
