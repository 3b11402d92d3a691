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
}
