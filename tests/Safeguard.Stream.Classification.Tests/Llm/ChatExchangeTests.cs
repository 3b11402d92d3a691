using System.ClientModel.Primitives;
using System.Text.Json;
using OpenAI.Chat;
using Safeguard.Stream.Classification.Llm;
using Safeguard.Stream.Core.Policies;

namespace Safeguard.Stream.Classification.Tests.Llm;

public sealed class ChatExchangeTests
{
    // vLLM 0.14's ChatCompletionResponse for gpt-oss with logprobs (field set and order as vLLM writes them; tokens
    // abridged): reasoning under both names, "bytes" on every token and alternative, cached tokens in the usage details.
    private const string Completion = """
        {"id":"chatcmpl-9f1","object":"chat.completion","created":1764300000,"model":"openai/gpt-oss-safeguard-20b",
         "choices":[{"index":0,
           "message":{"role":"assistant","content":"{\"violation\":1,\"category\":\"SP2\",\"rationale\":\"Link spam.\"}",
             "refusal":null,"annotations":null,"audio":null,"function_call":null,"tool_calls":[],
             "reasoning":"Two links to a shop.","reasoning_content":"Two links to a shop."},
           "logprobs":{"content":[
             {"token":"<|channel|>","logprob":-1.2e-07,"bytes":[60,124,99,104,97,110,110,101,108,124,62],"top_logprobs":[]},
             {"token":"final","logprob":-0.01,"bytes":[102,105,110,97,108],"top_logprobs":[{"token":"final","logprob":-0.01,"bytes":[102]}]},
             {"token":"<|message|>","logprob":0.0,"bytes":[60],"top_logprobs":[]},
             {"token":"{\"","logprob":-0.001,"bytes":[123,34],"top_logprobs":[]},
             {"token":"violation","logprob":-0.001,"bytes":[118],"top_logprobs":[]},
             {"token":"\":","logprob":-0.001,"bytes":[34,58],"top_logprobs":[]},
             {"token":"1","logprob":-0.2231435513,"bytes":[49],"top_logprobs":[
               {"token":"1","logprob":-0.2231435513,"bytes":[49]},{"token":"0","logprob":-1.6094379124,"bytes":[48]},{"token":" 1","logprob":-4.0,"bytes":[32,49]}]},
             {"token":",\"","logprob":-0.01,"bytes":[44,34],"top_logprobs":[]}
           ]},
           "finish_reason":"stop","stop_reason":null,"token_ids":null}],
         "service_tier":null,"system_fingerprint":null,
         "usage":{"prompt_tokens":813,"total_tokens":942,"completion_tokens":129,"prompt_tokens_details":{"cached_tokens":768}},
         "prompt_logprobs":null,"prompt_token_ids":null,"kv_transfer_params":null}
        """;

    [Fact]
    public void ReadAnswer_VllmCompletion_ReadsContentReasoningUsageAndLogprobs()
    {
        var answer = ChatExchange.ReadAnswer(BinaryData.FromString(Completion));

        Assert.Equal("{\"violation\":1,\"category\":\"SP2\",\"rationale\":\"Link spam.\"}", answer.Content);
        Assert.Equal("stop", answer.FinishReason);
        Assert.False(answer.StoppedByLength);
        Assert.Equal("Two links to a shop.", answer.Reasoning);
        Assert.Equal((813, 129, 768), (answer.PromptTokens, answer.CompletionTokens, answer.CachedTokens));
        Assert.NotNull(answer.Tokens);
        Assert.Equal(8, answer.Tokens.Count);
        Assert.Equal("1", answer.Tokens[6].Token);
        Assert.Equal(["1", "0", " 1"], answer.Tokens[6].TopAlternatives.Select(a => a.Token));
        Assert.Equal(0.8, VerdictProbability.FromLogProbabilities(answer.Tokens, violation: true, answer.Content)!.Value, 3);
    }

    [Fact]
    public void ReadAnswer_SameBodyAsTheSdksTypedModel_AgreesFieldByField()
    {
        var body = BinaryData.FromString(Completion);
#pragma warning disable OPENAI001 // the SDK's AOT-safe reader context is marked for evaluation
        var sdk = ModelReaderWriter.Read<ChatCompletion>(body, ModelReaderWriterOptions.Json, OpenAI.OpenAIContext.Default)!;
#pragma warning restore OPENAI001

        var ours = ChatExchange.ReadAnswer(body);

        Assert.Equal(sdk.Content[0].Text, ours.Content);
        Assert.Equal(sdk.FinishReason.ToString(), ours.FinishReason, ignoreCase: true);
        Assert.Equal(sdk.Usage.InputTokenCount, ours.PromptTokens);
        Assert.Equal(sdk.Usage.OutputTokenCount, ours.CompletionTokens);
        Assert.Equal(sdk.Usage.InputTokenDetails.CachedTokenCount, ours.CachedTokens);
        Assert.Equal(sdk.ContentTokenLogProbabilities.Select(t => t.Token), ours.Tokens!.Select(t => t.Token));
        Assert.Equal(sdk.ContentTokenLogProbabilities.Select(t => (double)t.LogProbability), ours.Tokens!.Select(t => t.LogProbability), new Close());
        Assert.Equal(
            sdk.ContentTokenLogProbabilities.SelectMany(t => t.TopLogProbabilities.Select(a => a.Token)),
            ours.Tokens!.SelectMany(t => t.TopAlternatives.Select(a => a.Token)));
    }

    [Theory]
    [InlineData("""{"choices":[{"message":{"content":"0","reasoning":"new field","reasoning_content":"old field"}}]}""", "new field")]
    [InlineData("""{"choices":[{"message":{"content":"0","reasoning_content":"vLLM 0.10 field"}}]}""", "vLLM 0.10 field")]
    [InlineData("""{"choices":[{"message":{"content":"0","reasoning":null,"reasoning_content":"fallback"}}]}""", "fallback")]
    [InlineData("""{"choices":[{"message":{"content":"0"}}]}""", null)]
    [InlineData("""{"choices":[]}""", null)]
    [InlineData("""{"choices":[{"message":""", null)]
    public void ReadAnswer_Reasoning_PrefersReasoningThenReasoningContent(string json, string? expected)
    {
        Assert.Equal(expected, Reasoning(BinaryData.FromString(json)));
    }

    /// <summary>The reasoning of a completion; null for a body that is not one.</summary>
    private static string? Reasoning(BinaryData body)
    {
        try
        {
            return ChatExchange.ReadAnswer(body).Reasoning;
        }
        catch (MalformedResponseException)
        {
            return null;
        }
    }

    [Theory]
    [InlineData("""{"choices":[{"message":{"content":null},"finish_reason":"length"}]}""", null, "length")]
    [InlineData("""{"choices":[{"message":{"content":"x","reasoning_content":"old"},"finish_reason":"stop"}],"usage":null}""", "x", "stop")]
    [InlineData("""{"choices":[{"message":{"content":"a"},"finish_reason":null},{"message":{"content":"b"}}]}""", "a", null)]
    public void ReadAnswer_NullsOldFieldNamesAndExtraChoices(string json, string? content, string? finish)
    {
        var answer = ChatExchange.ReadAnswer(BinaryData.FromString(json));

        Assert.Equal(content, answer.Content);
        Assert.Equal(finish, answer.FinishReason);
        Assert.Null(answer.Tokens);
        Assert.Equal(finish == "length", answer.StoppedByLength);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("""{"choices":[{"message":{"content":"cut off""")]
    [InlineData("""{"object":"error","message":"boom"}""")]
    [InlineData("""{"choices":[]}""")]
    [InlineData("""{"choices":{"message":{}}}""")]
    [InlineData("""{"choices":[{"message":{"content":42}}]}""")]
    [InlineData("""[1,2,3]""")]
    public void ReadAnswer_NotACompletion_IsMalformed(string json) =>
        Assert.Throws<MalformedResponseException>(() => ChatExchange.ReadAnswer(BinaryData.FromString(json)));

    [Fact]
    public void WriteRequest_CarriesTheFieldsTheSdkSends()
    {
        var body = ChatExchange.WriteRequest("openai/gpt-oss-safeguard-20b", "developer", "POLICY \"quoted\"", "EDIT\n<|end|>", ReasoningEffort.Medium, 4096, 5);

        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        Assert.Equal("openai/gpt-oss-safeguard-20b", root.GetProperty("model").GetString());
        Assert.Equal(["developer", "user"], root.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("role").GetString()));
        Assert.Equal(["POLICY \"quoted\"", "EDIT\n<|end|>"], root.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("content").GetString()));
        Assert.Equal("medium", root.GetProperty("reasoning_effort").GetString());
        Assert.Equal(4096, root.GetProperty("max_completion_tokens").GetInt32());
        Assert.True(root.GetProperty("logprobs").GetBoolean());
        Assert.Equal(5, root.GetProperty("top_logprobs").GetInt32());
    }

    [Fact]
    public void WriteRequest_NoCapNoLogprobs_SendsNeither()
    {
        using var document = JsonDocument.Parse(ChatExchange.WriteRequest("m", "system", "p", "e", ReasoningEffort.Low, null, null));

        Assert.False(document.RootElement.TryGetProperty("max_completion_tokens", out _));
        Assert.False(document.RootElement.TryGetProperty("logprobs", out _));
        Assert.False(document.RootElement.TryGetProperty("top_logprobs", out _));
        Assert.Equal("low", document.RootElement.GetProperty("reasoning_effort").GetString());
    }

    [Fact]
    public void ReadAnswer_PromptTokensDetails_NullIsNotZeroCached()
    {
        // vLLM without --enable-prompt-tokens-details sends "prompt_tokens_details": null.
        var without = ChatExchange.ReadAnswer(BinaryData.FromString(
            """{"choices":[{"message":{"content":"1"},"finish_reason":"stop"}],"usage":{"prompt_tokens":700,"completion_tokens":90,"prompt_tokens_details":null}}"""));
        var with = ChatExchange.ReadAnswer(BinaryData.FromString(
            """{"choices":[{"message":{"content":"1"},"finish_reason":"stop"}],"usage":{"prompt_tokens":700,"completion_tokens":90,"prompt_tokens_details":{"cached_tokens":0}}}"""));

        Assert.False(without.HasPromptTokensDetails);
        Assert.True(with.HasPromptTokensDetails);
        Assert.Equal(0, with.CachedTokens);
    }

    private sealed class Close : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-6;

        public int GetHashCode(double obj) => 0;
    }
}
