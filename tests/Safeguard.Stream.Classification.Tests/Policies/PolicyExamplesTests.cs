using Safeguard.Stream.Classification.Policies;

namespace Safeguard.Stream.Classification.Tests.Policies;

public sealed class PolicyExamplesTests
{
    [Fact]
    public void Parse_ReadsEachContentAnswerPair_WithItsParts()
    {
        const string Body = """
            ## SAFE (0)
            Content: "not an example: wrong section"
            Answer: {"violation": 1}

            ## EXAMPLES
            Content: "Buy cheap watches at http://x.example"
            Answer: {"violation": 1, "category": "SP1", "rationale": "Link spam."}
            Content: summary "revert, you are an idiot"
            Answer: {"violation": 1, "category": "PA1", "rationale": "Insult."}
            Content: removed "The whole article"
            Answer: {"violation": 1, "category": "VAND4", "rationale": "Blanking."}
            Content: hinzugefügt „Die Brücke wurde 1932 eröffnet.“; Zusammenfassung „Jahr laut Quelle korrigiert“
            Answer: {"violation": 0, "category": null, "rationale": "Sachlich."}
            Content: "an example without an answer"

            Answer with the JSON object only
            """;

        var examples = PolicyExamples.Parse(Body);

        Assert.Equal(4, examples.Count);
        Assert.Equal(["Buy cheap watches at http://x.example"], examples[0].Added);
        Assert.True(examples[0].Violation);
        Assert.Equal("SP1", examples[0].Category);
        Assert.Equal("revert, you are an idiot", examples[1].Summary);
        Assert.Empty(examples[1].Added);
        Assert.Equal(["The whole article"], examples[2].Removed);
        Assert.Equal(["Die Brücke wurde 1932 eröffnet."], examples[3].Added);
        Assert.Equal("Jahr laut Quelle korrigiert", examples[3].Summary);
        Assert.False(examples[3].Violation);
    }

    [Theory]
    [InlineData("blp")]
    [InlineData("personal-attacks")]
    [InlineData("private-information")]
    [InlineData("spam")]
    [InlineData("vandalism")]
    [InlineData("vandalism-de")]
    public void ShippedPolicies_HaveAViolatingAndASafeExample(string id)
    {
        // The shipped policies are copied next to the test assembly (as for PolicyLinterTests).
        var body = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "policies", id + ".md"));

        var examples = PolicyExamples.Parse(body);

        Assert.Contains(examples, e => e.Violation);
        Assert.Contains(examples, e => !e.Violation);
        Assert.All(examples, e => Assert.True(e.Added.Count + e.Removed.Count > 0 || e.Summary is not null));
    }
}
