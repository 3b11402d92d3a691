using Safeguard.Stream.Classification.Policies;

namespace Safeguard.Stream.Classification.Tests.Policies;

public sealed class PolicyLinterTests
{
    private static string RepoPolicies() => Path.Combine(AppContext.BaseDirectory, "policies");

    [Fact]
    public void LintDirectory_ShippedPolicies_HaveNoErrorsAndFitTheSweetSpot()
    {
        var (results, problems) = PolicyLinter.LintDirectory(RepoPolicies());

        Assert.Contains(results, r => r.Id == "spam");
        Assert.DoesNotContain(problems, p => p.IsError);
        Assert.All(results, r => Assert.True(r.Tokens is >= PolicyLinter.SweetSpotMin and <= PolicyLinter.SweetSpotMax, $"{r.Id}: {r.Tokens} tokens"));
    }

    [Fact]
    public void LintDirectory_MissingSectionsAndFormat_AreErrors()
    {
        var directory = Directory.CreateTempSubdirectory("policy-lint").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "bad.md"), "---\nid: bad\nversion: 1\ntitle: Bad\n---\n# Bad\n## INSTRUCTIONS\nSay yes.\n");

            var (_, problems) = PolicyLinter.LintDirectory(directory);

            Assert.Contains(problems, p => p.IsError && p.Message.Contains("DEFINITIONS", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.IsError && p.Message.Contains("output format", StringComparison.Ordinal));
            Assert.Contains(problems, p => !p.IsError && p.Message.Contains("tokens", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void LintDirectory_DuplicateIds_AreAnError()
    {
        var directory = Directory.CreateTempSubdirectory("policy-lint").FullName;
        try
        {
            var text = File.ReadAllText(Path.Combine(RepoPolicies(), "spam.md"));
            File.WriteAllText(Path.Combine(directory, "a.md"), text);
            File.WriteAllText(Path.Combine(directory, "b.md"), text);

            var (_, problems) = PolicyLinter.LintDirectory(directory);

            Assert.Contains(problems, p => p.IsError && p.Message.Contains("duplicate policy id", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void CountTokens_UsesO200k()
    {
        // "hello world" is two tokens in o200k_base.
        Assert.Equal(2, PolicyLinter.CountTokens("hello world"));
    }

    [Fact]
    public void LintDirectory_ShippedPolicies_AreTheIssuesSetWithNoWarnings()
    {
        var (results, problems) = PolicyLinter.LintDirectory(RepoPolicies());

        Assert.Empty(problems);
        Assert.Equal(["blp", "personal-attacks", "private-information", "spam", "vandalism", "vandalism-de"], results.Select(r => r.Id).Order(StringComparer.Ordinal));
        var (policies, _) = PolicyCatalog.LoadDirectory(RepoPolicies());
        Assert.Equal(Safeguard.Stream.Core.Policies.PolicyVisibility.Restricted, policies.Single(p => p.Id == "private-information").Visibility);
        Assert.Equal(["de"], policies.Single(p => p.Id == "vandalism-de").AppliesTo.Languages);
        Assert.All(policies, p => Assert.Equal([0], p.AppliesTo.Namespaces));
    }

    [Theory]
    [InlineData("vandalism.md", "## EXAMPLES", "## SAMPLES", "missing section '## EXAMPLES'")]
    [InlineData("blp.md", "## SAFE (0)", "## OK", "missing section '## SAFE'")]
    [InlineData("spam.md", "{\"violation\": 0 or 1", "{\"verdict\": 0 or 1", "output format")]
    [InlineData("vandalism.md", "id: vandalism", "id: vandalism-de", "duplicate policy id 'vandalism-de' (also in vandalism-de.md)")]
    [InlineData("vandalism-de.md", "languages: [de]", "languages: [German]", "applies_to.languages: 'German'")]
    [InlineData("spam.md", "wikis: []", "wikis: [en.wikipedia.org]", "applies_to.wikis: 'en.wikipedia.org'")]
    [InlineData("spam.md", "namespaces: [0]", "namespaces: [main]", "applies_to.namespaces: 'main'")]
    [InlineData("spam.md", "namespaces: [0]", "namespaces: 0", "applies_to.namespaces must be a list")]
    [InlineData("spam.md", "applies_to:", "applies_to:\n  projects: [wikipedia]", "unknown applies_to key 'projects'")]
    [InlineData("personal-attacks.md", "reasoning_effort: low", "reasoning_effort: minimal", "'reasoning_effort' must be one of low|medium|high")]
    [InlineData("private-information.md", "visibility: restricted", "visibility: secret", "'visibility' must be one of")]
    [InlineData("blp.md", "threshold: 0.6", "threshold: 60", "'threshold' must be a number between 0 and 1")]
    [InlineData("blp.md", "mode: enforce", "mode: log-only", "'mode' must be one of enforce|shadow")]
    public void LintDirectory_BrokenCopyOfAShippedPolicy_FailsNamingFileAndProblem(string file, string original, string broken, string problem)
    {
        var directory = CopyShipped();
        try
        {
            var path = Path.Combine(directory, file);
            var text = File.ReadAllText(path);
            Assert.Contains(original, text, StringComparison.Ordinal);
            File.WriteAllText(path, text.Replace(original, broken, StringComparison.Ordinal));

            var (_, problems) = PolicyLinter.LintDirectory(directory);

            var error = Assert.Single(problems, p => p.IsError);
            Assert.Equal(path, error.File);
            Assert.Contains(problem, error.Message, StringComparison.Ordinal);
            Assert.StartsWith($"{path}: error: ", error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void LintDirectory_PolicyAboveTenThousandTokens_IsAnError()
    {
        var directory = CopyShipped();
        try
        {
            var path = Path.Combine(directory, "spam.md");
            File.AppendAllText(path, string.Concat(Enumerable.Repeat("- Another rule about links and promotion that adds nothing new.\n", 900)));

            var (results, problems) = PolicyLinter.LintDirectory(directory);

            Assert.True(results.Single(r => r.Id == "spam").Tokens > PolicyLinter.HardMax);
            var error = Assert.Single(problems, p => p.IsError);
            Assert.Contains("above the 10000-token limit", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void LintDirectory_ShortPolicyAndMismatchedFileName_AreWarningsOnly()
    {
        var directory = CopyShipped();
        try
        {
            var path = Path.Combine(directory, "blp.md");
            var text = File.ReadAllText(path);
            File.Delete(path);
            var examples = text.IndexOf("## EXAMPLES", StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(directory, "living-people.md"), text[..examples] + "## EXAMPLES\nContent: x\nAnswer: {\"violation\": 0}\n");

            var (_, problems) = PolicyLinter.LintDirectory(directory);

            Assert.DoesNotContain(problems, p => p.IsError);
            Assert.Contains(problems, p => p.Message.Contains("file name should be 'blp.md'", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string CopyShipped()
    {
        var directory = Directory.CreateTempSubdirectory("policy-lint").FullName;
        foreach (var file in Directory.EnumerateFiles(RepoPolicies(), "*.md"))
        {
            File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
        }

        return directory;
    }
}
