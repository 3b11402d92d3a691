using Microsoft.ML.Tokenizers;

namespace Safeguard.Stream.Classification.Policies;

/// <summary>
/// Checks policies against the gpt-oss-safeguard guide: the required sections, an output format stated near the top,
/// and a length the model handles well (400–600 o200k tokens is its sweet spot; above 10,000 is an error).
/// </summary>
public static class PolicyLinter
{
    public const int SweetSpotMin = 400;
    public const int SweetSpotMax = 600;
    public const int HardMax = 10_000;

    private static readonly string[] s_requiredSections = ["INSTRUCTIONS", "DEFINITIONS", "VIOLATES", "SAFE", "EXAMPLES"];
    private static readonly Lazy<Tokenizer> s_tokenizer = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    public static int CountTokens(string text) => s_tokenizer.Value.CountTokens(text);

    public static (IReadOnlyList<PolicyLintResult> Results, IReadOnlyList<PolicyProblem> Problems) LintDirectory(string directory)
    {
        var (policies, problems) = PolicyCatalog.LoadDirectory(directory);
        var results = new List<PolicyLintResult>();
        foreach (var policy in policies)
        {
            var file = policy.SourcePath ?? policy.Id;
            var tokens = CountTokens(policy.Body);
            results.Add(new PolicyLintResult(policy.Id, file, tokens));
            var headings = policy.Body.Split('\n').Where(l => l.StartsWith('#')).Select(l => l.TrimStart('#').Trim().ToUpperInvariant()).ToList();
            foreach (var section in s_requiredSections)
            {
                if (!headings.Any(h => h.StartsWith(section, StringComparison.Ordinal)))
                {
                    problems.Add(new PolicyProblem(file, $"missing section '## {section}'", true));
                }
            }

            var instructionsIndex = headings.FindIndex(h => h.StartsWith("INSTRUCTIONS", StringComparison.Ordinal));
            var firstThird = policy.Body[..Math.Max(1, policy.Body.Length / 3)];
            if (!firstThird.Contains("\"violation\"", StringComparison.Ordinal))
            {
                problems.Add(new PolicyProblem(file, "the output format ({\"violation\": 0|1, ...}) must be stated near the top", true));
            }
            else if (instructionsIndex < 0)
            {
                problems.Add(new PolicyProblem(file, "the output format should sit in INSTRUCTIONS", false));
            }

            if (tokens > HardMax)
            {
                problems.Add(new PolicyProblem(file, $"{tokens} tokens: above the {HardMax}-token limit", true));
            }
            else if (tokens is < SweetSpotMin or > SweetSpotMax)
            {
                problems.Add(new PolicyProblem(file, $"{tokens} tokens: outside the {SweetSpotMin}–{SweetSpotMax} range the model handles best", false));
            }

            if (!string.Equals(Path.GetFileNameWithoutExtension(file), policy.Id, StringComparison.Ordinal))
            {
                problems.Add(new PolicyProblem(file, $"file name should be '{policy.Id}.md' to match the id", false));
            }

            if (policy.Categories.Count == 0)
            {
                problems.Add(new PolicyProblem(file, "'categories' is empty: list the category ids the body defines", false));
            }

            if (!policy.Body.Split('\n').Any(l => l.StartsWith('#') && !l.StartsWith("##", StringComparison.Ordinal)))
            {
                problems.Add(new PolicyProblem(file, "no '# Title' heading: the model (and the simulator) read the policy name from it", false));
            }

            foreach (var category in policy.Categories)
            {
                if (!policy.Body.Contains(category, StringComparison.Ordinal))
                {
                    problems.Add(new PolicyProblem(file, $"category '{category}' is declared but never used in the body", false));
                }
            }
        }

        return (results, problems);
    }
}

public sealed record PolicyLintResult(string Id, string File, int Tokens);
