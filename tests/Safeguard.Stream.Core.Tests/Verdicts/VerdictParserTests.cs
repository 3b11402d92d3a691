using Safeguard.Stream.Core.Verdicts;

namespace Safeguard.Stream.Core.Tests.Verdicts;

public sealed class VerdictParserTests
{
    [Theory]
    [InlineData("{\"violation\":1,\"category\":\"SP1\",\"rationale\":\"link\"}", true, "SP1", "link")]
    [InlineData("{\"violation\": 0, \"policy_category\": null}", false, null, null)]
    [InlineData("```json\n{\"violation\": true, \"policy_category\": \"H2.f\"}\n```", true, "H2.f", null)]
    [InlineData("Verdict: {\"violation\":\"1\",\"rationale\":\"x\"} done", true, null, "x")]
    [InlineData("1", true, null, null)]
    [InlineData(" 0 ", false, null, null)]
    public void TryParse_AcceptedShapes_ReadVerdict(string content, bool violation, string? category, string? rationale)
    {
        Assert.True(VerdictParser.TryParse(content, out var verdict, out var error), error);
        Assert.Equal(violation, verdict.Violation);
        Assert.Equal(category, verdict.Category);
        Assert.Equal(rationale, verdict.Rationale);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("I think it violates the policy")]
    [InlineData("{\"category\": \"SP1\"}")]
    [InlineData("{\"violation\": 1,")]
    public void TryParse_UnusableContent_FailsWithReason(string? content)
    {
        Assert.False(VerdictParser.TryParse(content, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Theory]
    [InlineData("{\"violation\": 2, \"rationale\": \"x\"}")]
    [InlineData("{\"violation\": 0.7}")]
    [InlineData("{\"violation\": \"maybe\"}")]
    [InlineData("{\"violation\": -1}")]
    public void TryParse_ViolationOutsideZeroOne_IsOutOfRange(string content)
    {
        Assert.False(VerdictParser.TryParse(content, out _, out var error, out var failure));
        Assert.Equal(VerdictParseFailure.OutOfRange, failure);
        Assert.Contains("not 0 or 1", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"violation\": 1,")]
    [InlineData("{\"violation\": 1, \"rationale\": \"cut off")]
    [InlineData("I think it violates the policy")]
    [InlineData("{\"category\": \"SP1\"}")]
    public void TryParse_BrokenOrPartialJson_IsUnparsable(string content)
    {
        Assert.False(VerdictParser.TryParse(content, out _, out _, out var failure));
        Assert.Equal(VerdictParseFailure.Unparsable, failure);
    }

    [Fact]
    public void TryParse_Confidence_IsRead()
    {
        Assert.True(VerdictParser.TryParse("{\"violation\":1,\"confidence\":\"High\"}", out var verdict, out _));
        Assert.Equal("high", verdict.Confidence);
    }
}
