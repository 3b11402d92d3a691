using Safeguard.Stream.Core.Policies;
using Safeguard.Stream.Core.Prompts;
using Safeguard.Stream.Core.Verdicts;

namespace Safeguard.Stream.Core.Tests.Prompts;

public sealed class PolicyBundleTests
{
    private static Policy P(string id, PolicyVisibility visibility = PolicyVisibility.Public, ReasoningEffort effort = ReasoningEffort.Low) =>
        new() { Id = id, Version = 1, Title = id, Body = $"# {id} policy\nbody of {id}\n", Visibility = visibility, ReasoningEffort = effort };

    [Fact]
    public void Create_AnyOrder_RendersTheSameInstructionsInIdOrder()
    {
        var a = PolicyBundle.Create([P("vandalism"), P("spam"), P("blp")]);
        var b = PolicyBundle.Create([P("spam"), P("blp"), P("vandalism")]);

        Assert.Equal(a.Instructions, b.Instructions);
        Assert.Equal(["blp", "spam", "vandalism"], a.Policies.Select(p => p.Id));
        Assert.True(a.Instructions.IndexOf("# Policy blp", StringComparison.Ordinal) < a.Instructions.IndexOf("# Policy spam", StringComparison.Ordinal));
        Assert.Contains("body of vandalism", a.Instructions, StringComparison.Ordinal);
        Assert.Contains("{\"blp\": {\"violation\"", a.Instructions, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_RestrictedPolicy_IsRefused()
    {
        var ex = Assert.Throws<ArgumentException>(() => PolicyBundle.Create([P("spam"), P("private-information", PolicyVisibility.Restricted)]));

        Assert.Contains("restricted", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_OnePolicy_IsNotABundle() => Assert.Throws<ArgumentException>(() => PolicyBundle.Create([P("spam")]));

    [Fact]
    public void ReasoningEffort_IsTheHighestAsked() =>
        Assert.Equal(ReasoningEffort.Medium, PolicyBundle.Create([P("spam"), P("blp", effort: ReasoningEffort.Medium)]).ReasoningEffort);

    [Fact]
    public void TryParse_EveryPolicyAnswered_ReadsEachVerdict()
    {
        const string content = """{"spam": {"violation": 1, "category": "SP1", "rationale": "link"}, "vandalism": {"violation": 0, "category": null, "rationale": "ok"}}""";

        Assert.True(BundleVerdictParser.TryParse(content, ["spam", "vandalism"], out var verdicts, out var problems, out _));

        Assert.Empty(problems);
        Assert.True(verdicts["spam"].Violation);
        Assert.Equal("SP1", verdicts["spam"].Category);
        Assert.False(verdicts["vandalism"].Violation);
    }

    [Fact]
    public void TryParse_MissingAndBadVerdicts_AreProblemsOfTheirPolicyOnly()
    {
        const string content = """
            ```json
            {"spam": {"violation": 1}, "blp": {"violation": 2}, "vandalism": "no"}
            ```
            """;

        Assert.True(BundleVerdictParser.TryParse(content, ["blp", "personal-attacks", "spam", "vandalism"], out var verdicts, out var problems, out _));

        Assert.Equal(["spam"], verdicts.Keys);
        Assert.StartsWith(VerdictError.VerdictOutOfRange, problems["blp"], StringComparison.Ordinal);
        Assert.Contains("no verdict for policy 'personal-attacks'", problems["personal-attacks"], StringComparison.Ordinal);
        Assert.Contains("not an object", problems["vandalism"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("I think the spam policy is violated.")]
    [InlineData("{\"spam\": {\"violation\": 1}")]
    [InlineData("[1, 0]")]
    public void TryParse_NoUsableObject_IsFalse(string content) =>
        Assert.False(BundleVerdictParser.TryParse(content, ["spam"], out _, out _, out _));
}
