using Safeguard.Stream.Core.Policies;

namespace Safeguard.Stream.Core.Tagging;

/// <summary>
/// A change tag as a wiki should define it for one policy: its name (<see cref="Policy.ChangeTag"/>) and the
/// description patrollers read (the wiki page <c>MediaWiki:Tag-{name}-description</c>): the policy's title and a link
/// to its text.
/// </summary>
public sealed record TagDefinition(string Name, string PolicyId, string Description)
{
    /// <summary>The wiki page that holds the tag's description.</summary>
    public string DescriptionPage => $"MediaWiki:Tag-{Name}-description";

    /// <summary>
    /// One definition per public policy (restricted policies are never tagged: a public tag would point at what
    /// oversight hides), each tag once. <paramref name="policyUrl"/> is where policy files can be read
    /// (<c>Safeguard:Tagging:PolicyUrl</c>); without it the description names the file.
    /// </summary>
    public static IReadOnlyList<TagDefinition> ForPolicies(IEnumerable<Policy> policies, string? policyUrl)
    {
        ArgumentNullException.ThrowIfNull(policies);
        return [.. policies
            .Where(p => p.Visibility == PolicyVisibility.Public)
            .OrderBy(p => p.ChangeTag, StringComparer.Ordinal)
            .DistinctBy(p => p.ChangeTag)
            .Select(p => new TagDefinition(p.ChangeTag, p.Id, Describe(p, policyUrl)))];
    }

    private static string Describe(Policy policy, string? policyUrl)
    {
        var file = policy.SourcePath is { } path ? Path.GetFileName(path) : policy.Id + ".md";
        return string.IsNullOrWhiteSpace(policyUrl)
            ? $"Safeguard.Stream: {policy.Title} (policy file {file})"
            // MediaWiki external link syntax: [url label].
            : $"Safeguard.Stream: {policy.Title} ([{policyUrl.TrimEnd('/')}/{Uri.EscapeDataString(file)} policy text])";
    }
}
