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

    [Theory]
    // vLLM 0.11.x: an answer without an analysis part is all "reasoning".
    [InlineData("{\"violation\": 1, \"category\": \"SP1\", \"rationale\": \"Link spam.\"}", "{\"violation\": 1, \"category\": \"SP1\", \"rationale\": \"Link spam.\"}")]
    // Reasoning that quotes the format first, then answers: only the last object counts.
    [InlineData("The format is {\"violation\": 0 or 1}. Two shop links.assistantfinal{\"violation\": 1, \"rationale\": \"a } in a string\"}", "{\"violation\": 1, \"rationale\": \"a } in a string\"}")]
    // An unmatched brace in the prose before the answer.
    [InlineData("Use { carefully. {\"violation\": 0}", "{\"violation\": 0}")]
    // Nested objects stay whole.
    [InlineData("x {\"violation\": 0, \"extra\": {\"a\": 1}} y", "{\"violation\": 0, \"extra\": {\"a\": 1}}")]
    public void LastVerdictObject_FindsTheAnswerAtTheEnd(string reasoning, string expected) =>
        Assert.Equal(expected, VerdictParser.LastVerdictObject(reasoning));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Just reasoning, no answer.")]
    [InlineData("{\"category\": \"SP1\"}")]
    // Cut off: no closing brace, no answer.
    [InlineData("Reasoning. {\"violation\": 1, \"rationale\": \"cut")]
    public void LastVerdictObject_NoCompleteVerdict_IsNull(string? reasoning) =>
        Assert.Null(VerdictParser.LastVerdictObject(reasoning));
}
