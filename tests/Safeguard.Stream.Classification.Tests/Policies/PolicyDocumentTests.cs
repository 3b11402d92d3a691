using Safeguard.Stream.Classification.Policies;
using Safeguard.Stream.Core.Policies;

namespace Safeguard.Stream.Classification.Tests.Policies;

public sealed class PolicyDocumentTests
{
    private const string Valid = """
        ---
        id: spam
        version: 2
        title: Spam
        applies_to:
          wikis: [enwiki]
          languages: [en]
          namespaces: [0, 2]
        reasoning_effort: medium
        threshold: 0.8
        categories: [SP1]
        visibility: restricted
        mode: shadow
        ---
        # Spam
        body text
        """;

    [Fact]
    public void Parse_FullFrontMatter_ReadsEveryKey()
    {
        var (policy, problems) = PolicyDocument.Parse("spam.md", Valid);

        Assert.Empty(problems);
        Assert.NotNull(policy);
        Assert.Equal("spam", policy.Id);
        Assert.Equal(2, policy.Version);
        Assert.Equal(ReasoningEffort.Medium, policy.ReasoningEffort);
        Assert.Equal(0.8, policy.Threshold);
        Assert.Equal(PolicyVisibility.Restricted, policy.Visibility);
        Assert.Equal(PolicyMode.Shadow, policy.Mode);
        Assert.Equal(["enwiki"], policy.AppliesTo.Wikis);
        Assert.Equal([0, 2], policy.AppliesTo.Namespaces);
        Assert.Equal("# Spam\nbody text\n", policy.Body);
        Assert.Null(policy.Tag);
        Assert.Equal("safeguard-spam", policy.ChangeTag);
    }

    [Fact]
    public void Parse_TagOnPublicPolicy_IsTheChangeTag()
    {
        var text = Valid.Replace("visibility: restricted", "visibility: public\ntag: sg-linkspam", StringComparison.Ordinal);

        var (policy, problems) = PolicyDocument.Parse("spam.md", text);

        Assert.Empty(problems);
        Assert.Equal("sg-linkspam", policy!.ChangeTag);
    }

    [Theory]
    [InlineData("visibility: restricted\ntag: safeguard-spam", "restricted")]
    [InlineData("visibility: public\ntag: spam|ham", "change tag name")]
    [InlineData("visibility: public\ntag: a/b", "change tag name")]
    public void Parse_BadTag_IsAnError(string replacement, string message)
    {
        var (policy, problems) = PolicyDocument.Parse("spam.md", Valid.Replace("visibility: restricted", replacement, StringComparison.Ordinal));

        Assert.Null(policy);
        Assert.Contains(problems, p => p.IsError && p.Message.Contains("'tag'", StringComparison.Ordinal) && p.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_Gate_IsTheRevertRiskThreshold()
    {
        var (policy, problems) = PolicyDocument.Parse("spam.md", Valid.Replace("mode: shadow", "mode: shadow\ngate: revertrisk < 0.1", StringComparison.Ordinal));

        Assert.Empty(problems);
        Assert.Equal(new RevertRiskGate(0.1), policy!.Gate);
    }

    [Fact]
    public void Parse_NoGate_IsNull()
    {
        Assert.Null(PolicyDocument.Parse("spam.md", Valid).Policy!.Gate);
    }

    [Theory]
    [InlineData("gate: revertrisk <= 0.1", "only '<'")]
    [InlineData("gate: ores < 0.1", "unknown signal 'ores'")]
    [InlineData("gate: revertrisk < 1.5", "above 0 and at most 1")]
    [InlineData("gate: revertrisk < 0", "above 0 and at most 1")]
    [InlineData("gate: revertrisk < low", "above 0 and at most 1")]
    [InlineData("gate: revertrisk", "must read 'revertrisk < N'")]
    [InlineData("gate: [revertrisk, 0.1]", "must read 'revertrisk < N'")]
    public void Parse_BadGate_IsAnErrorThatSaysHowToWriteIt(string gate, string message)
    {
        var (policy, problems) = PolicyDocument.Parse("spam.md", Valid.Replace("mode: shadow", "mode: shadow\n" + gate, StringComparison.Ordinal));

        Assert.Null(policy);
        var problem = Assert.Single(problems);
        Assert.True(problem.IsError);
        Assert.Contains("'gate'", problem.Message, StringComparison.Ordinal);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("reasoning_effort: medium", "reasoning_effort: extreme", "reasoning_effort")]
    [InlineData("threshold: 0.8", "threshold: 1.5", "threshold")]
    [InlineData("version: 2", "version: two", "version")]
    [InlineData("id: spam", "id: Spam Policy", "id")]
    [InlineData("mode: shadow", "mode: enforce\nsurprise: 1", "surprise")]
    [InlineData("  namespaces: [0, 2]", "  namespaces: [main]", "namespaces")]
    public void Parse_BadValue_NamesTheKey(string original, string replacement, string key)
    {
        var (policy, problems) = PolicyDocument.Parse("spam.md", Valid.Replace(original, replacement, StringComparison.Ordinal));

        Assert.Null(policy);
        Assert.Contains(problems, p => p.IsError && p.Message.Contains(key, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_NoFrontMatter_IsAnError()
    {
        var (policy, problems) = PolicyDocument.Parse("x.md", "# Just markdown");

        Assert.Null(policy);
        Assert.Contains("front matter", Assert.Single(problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidYaml_ReportsLine()
    {
        var (policy, problems) = PolicyDocument.Parse("x.md", "---\nid: [unclosed\n---\nbody");

        Assert.Null(policy);
        Assert.Contains("not valid YAML", Assert.Single(problems).Message, StringComparison.Ordinal);
    }
}
