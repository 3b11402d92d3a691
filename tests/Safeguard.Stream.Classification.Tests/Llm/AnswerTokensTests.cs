using Safeguard.Stream.Classification.Llm;

namespace Safeguard.Stream.Classification.Tests.Llm;

/// <summary>
/// The answer's tokens as read without an object per token: the joined text and offsets must agree with the tokens one
/// by one, and a token's logprob and alternatives are read from the body only when asked for.
/// </summary>
public sealed class AnswerTokensTests
{
    private static AnswerTokens Read(string logprobsContent) =>
        ChatExchange.ReadAnswer(BinaryData.FromString(
            $$"""{"choices":[{"message":{"content":"{\"violation\":1}"},"logprobs":{"content":{{logprobsContent}}},"finish_reason":"stop"}]}""")).Tokens!;

    [Fact]
    public void Read_EscapedAndEmptyTokens_JoinsTheDecodedTextWithEachTokensOffsets()
    {
        var tokens = Read("""
            [{"token":"{\"","logprob":-0.1,"bytes":[123,34],"top_logprobs":[]},
             {"token":"","logprob":-0.2,"bytes":[],"top_logprobs":[]},
             {"token":"caf\u00e9 \\n","logprob":-0.3,"bytes":[99],"top_logprobs":[]},
             {"token":"\":1","logprob":-0.4,"bytes":[34],"top_logprobs":[{"token":"\":1","logprob":-0.4},{"token":"\":0","logprob":-1.5}]}]
            """);

        Assert.Equal(4, tokens.Count);
        Assert.Equal("{\"café \\n\":1", tokens.Text);
        Assert.Equal(["{\"", "", "café \\n", "\":1"], Enumerable.Range(0, tokens.Count).Select(i => tokens.Token(i).ToString()));
        Assert.Equal([0, 2, 2, 9], Enumerable.Range(0, tokens.Count).Select(tokens.Start));
        Assert.Equal(12, tokens.End(3));
        Assert.Equal(-0.4, tokens[3].LogProbability);
        Assert.Equal([("\":1", -0.4), ("\":0", -1.5)], tokens[3].TopAlternatives.Select(a => (a.Token, a.LogProbability)));
    }

    [Theory]
    [InlineData(0, 0)] // inside the first token
    [InlineData(1, 0)]
    [InlineData(2, 2)] // the empty token ends at 2, not after it: the next token that ends after 2
    [InlineData(8, 2)]
    [InlineData(9, 3)]
    [InlineData(11, 3)]
    [InlineData(12, 4)] // past the end: none
    [InlineData(500, 4)]
    public void TokenEndingAfter_IsTheFirstTokenThatEndsPastTheOffset(int offset, int expected)
    {
        var tokens = Read("""
            [{"token":"{\"","logprob":0},{"token":"","logprob":0},{"token":"café \\n","logprob":0},{"token":"\":1","logprob":0}]
            """);

        Assert.Equal(expected, tokens.TokenEndingAfter(offset));
    }

    [Fact]
    public void TryGet_LogprobOfTheWrongType_IsNullAndTheVerdictFallsBack()
    {
        // The body's syntax is checked when it is read; a value's type only when that token is asked for. A broken
        // verdict digit must cost the verdict its probability (the documented fallback), never the verdict itself.
        var tokens = Read("""
            [{"token":"violation","logprob":-0.1},{"token":"\":1","logprob":"high","top_logprobs":[]}]
            """);

        Assert.Null(tokens.TryGet(1));
        Assert.NotNull(tokens.TryGet(0));
        Assert.Null(VerdictProbability.FromLogProbabilities(tokens, violation: true, content: null));
    }

    [Fact]
    public void Read_PunctuationInsideStrings_IsText_AndTheFieldsAfterTheArrayAreStillRead()
    {
        // The scanner jumps over alternatives by nesting; brackets and escaped quotes inside their strings must not count.
        var answer = ChatExchange.ReadAnswer(BinaryData.FromString("""
            {"choices":[{"message":{"content":"0"},
              "logprobs":{"content":[
                {"token":"}]","logprob":-1.5,"bytes":[125,93],"top_logprobs":[{"token":"]\"{[","logprob":-2,"bytes":[93]},{"token":"\\","logprob":-3}]},
                {"token" : "0" , "top_logprobs" : [ ] , "logprob" : -0.25 }
              ],"refusal":null},
              "finish_reason":"length"}],
             "usage":{"prompt_tokens":7,"completion_tokens":2}}
            """));

        Assert.Equal("}]0", answer.Tokens!.Text);
        Assert.Equal(["]\"{[", "\\"], answer.Tokens[0].TopAlternatives.Select(a => a.Token));
        Assert.Equal(-0.25, answer.Tokens[1].LogProbability);
        Assert.Equal("length", answer.FinishReason);
        Assert.Equal((7, 2), (answer.PromptTokens, answer.CompletionTokens));
    }

    [Theory]
    [InlineData("""[{"token":"0","logprob":-0.1,"top_logprobs":[{"token":"1""")] // cut off inside an alternative
    [InlineData("""[{"token":"0" "logprob":-0.1}]}}]}""")] // a missing comma
    [InlineData("""[{"token":"0","logprob":,"top_logprobs":[]}]}}]}""")] // a missing value
    [InlineData("""[{"token":"0","logprob":-0.1,"top_logprobs":[{"token":"1"}]}}}]}""")] // an entry closed twice
    [InlineData("""[{"token":"0\""")] // cut off after an escaped quote
    public void ReadAnswer_BrokenLogprobs_IsMalformed(string logprobsContent)
    {
        Assert.Throws<MalformedResponseException>(() => ChatExchange.ReadAnswer(BinaryData.FromString(
            """{"choices":[{"message":{"content":"0"},"logprobs":{"content":""" + logprobsContent)));
    }

    [Fact]
    public void ReadAnswer_CutOffInsideTheLogprobs_IsMalformed()
    {
        Assert.Throws<MalformedResponseException>(() => ChatExchange.ReadAnswer(BinaryData.FromString(
            """
            {"choices":[{"message":{"content":"0"},"logprobs":{"content":[{"token":"0","logprob":-0.1,"top_logprobs":[{"token":"1
            """)));
    }

    [Fact]
    public void From_AListBuiltInMemory_GivesTheSameTokensBack()
    {
        TokenLogProbability[] list =
        [
            new("violation", -0.01, []),
            new("\":0", Math.Log(0.9), [new TokenAlternative("\":0", Math.Log(0.9)), new TokenAlternative("\":1", Math.Log(0.1))]),
        ];

        var tokens = AnswerTokens.From(list);

        Assert.Equal("violation\":0", tokens.Text);
        Assert.Equal(list.Select(t => t.Token), tokens.Select(t => t.Token));
        Assert.Equal(list[1].TopAlternatives, tokens[1].TopAlternatives);
        Assert.Same(tokens, AnswerTokens.From(tokens));
    }
}
