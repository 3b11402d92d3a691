using System.Text.RegularExpressions;

namespace Safeguard.Stream.Fakes;

/// <summary>
/// Reads a bundled policy message (the worker's <c>PolicyBundle</c>: "# Policy &lt;id&gt;" sections after a common
/// preamble) back into its policies, so the simulator judges each one as the real model is asked to.
/// </summary>
public static partial class SimulatedBundle
{
    /// <summary>The (id, section text) of each bundled policy; empty for a single-policy message.</summary>
    public static IReadOnlyList<(string Id, string Text)> Split(string policyText)
    {
        ArgumentNullException.ThrowIfNull(policyText);
        var matches = Heading().Matches(policyText);
        var sections = new List<(string, string)>(matches.Count);
        for (var i = 0; i < matches.Count; i++)
        {
            var start = matches[i].Index + matches[i].Length;
            var end = i + 1 < matches.Count ? matches[i + 1].Index : policyText.Length;
            sections.Add((matches[i].Groups["id"].Value, policyText[start..end]));
        }

        return sections;
    }

    [GeneratedRegex(@"^# Policy (?<id>[a-z0-9][a-z0-9-]*)\n", RegexOptions.Multiline)]
    private static partial Regex Heading();
}
