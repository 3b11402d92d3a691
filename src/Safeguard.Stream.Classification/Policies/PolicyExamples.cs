namespace Safeguard.Stream.Classification.Policies;

/// <summary>One worked example of a policy's EXAMPLES section: the edit's parts and the verdict the policy gives it.</summary>
public sealed record PolicyExample(IReadOnlyList<string> Added, IReadOnlyList<string> Removed, string? Summary, bool Violation, string? Category);

/// <summary>
/// Reads a policy's EXAMPLES section, where each example is a <c>Content:</c> line followed by an
/// <c>Answer: {"violation": …}</c> line (the layout <c>policies/README.md</c> prescribes). The content is one or more
/// quoted parts separated by <c>;</c>, each optionally named: <c>added "…"</c> (the default), <c>removed "…"</c>,
/// <c>summary "…"</c>, or in German <c>hinzugefügt „…“</c>, <c>entfernt „…“</c>, <c>Zusammenfassung „…“</c>. Lines that
/// do not fit are ignored: the linter, not this reader, judges a policy's form.
/// </summary>
public static class PolicyExamples
{
    private const string ContentPrefix = "Content:";
    private const string AnswerPrefix = "Answer:";

    public static IReadOnlyList<PolicyExample> Parse(string policyBody)
    {
        ArgumentNullException.ThrowIfNull(policyBody);
        var examples = new List<PolicyExample>();
        var inExamples = false;
        PolicyExample? content = null;
        foreach (var raw in policyBody.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith('#'))
            {
                inExamples = line.TrimStart('#').Trim().Equals("EXAMPLES", StringComparison.OrdinalIgnoreCase);
                content = null;
                continue;
            }

            if (!inExamples)
            {
                continue;
            }

            if (line.StartsWith(ContentPrefix, StringComparison.OrdinalIgnoreCase))
            {
                content = ReadContent(line[ContentPrefix.Length..]);
            }
            else if (line.StartsWith(AnswerPrefix, StringComparison.OrdinalIgnoreCase) && content is not null)
            {
                if (VerdictParser.TryParse(line[AnswerPrefix.Length..], out var verdict, out _))
                {
                    examples.Add(content with { Violation = verdict.Violation, Category = verdict.Category });
                }

                content = null;
            }
        }

        return examples;
    }

    private static PolicyExample? ReadContent(string text)
    {
        List<string> added = [];
        List<string> removed = [];
        string? summary = null;
        var rest = text.AsSpan().Trim();
        while (!rest.IsEmpty)
        {
            var open = rest.IndexOfAny("\"„“");
            if (open < 0)
            {
                break;
            }

            var close = rest[(open + 1)..].IndexOfAny("\"“”");
            if (close < 0)
            {
                break;
            }

            var keyword = rest[..open].Trim().TrimStart(';').Trim().ToString().ToLowerInvariant();
            var quoted = rest.Slice(open + 1, close).ToString();
            switch (keyword)
            {
                case "removed" or "entfernt":
                    removed.Add(quoted);
                    break;
                case "summary" or "zusammenfassung":
                    summary = quoted;
                    break;
                default:
                    added.Add(quoted);
                    break;
            }

            rest = rest[(open + close + 2)..].Trim();
        }

        return added.Count + removed.Count == 0 && summary is null ? null : new PolicyExample(added, removed, summary, false, null);
    }
}
