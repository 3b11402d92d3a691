using Safeguard.Stream.Classification.Llm;

namespace Safeguard.Stream.Classification.Tests.Llm;

public sealed class LlmServerProblemTests
{
    private static readonly LlmOptions s_options = new() { Endpoint = new Uri("http://vllm.example:8000/v1"), Model = "openai/gpt-oss-safeguard-20b", ApiKey = "sk-secret-key" };

    [Theory]
    // vLLM --api-key: a wrong or missing key on /v1/*.
    [InlineData(401, """{"error":"Unauthorized"}""", LlmServerProblem.ApiKeySetting)]
    [InlineData(403, "", LlmServerProblem.ApiKeySetting)]
    // vLLM's unknown model: the OpenAI envelope with NotFoundError.
    [InlineData(404, """{"error":{"message":"The model `gpt-oss-20b` does not exist.","type":"NotFoundError","param":"model","code":404}}""", LlmServerProblem.ModelSetting)]
    // A wrong base path: FastAPI's default 404 body, or a proxy's HTML page.
    [InlineData(404, """{"detail":"Not Found"}""", LlmServerProblem.EndpointSetting)]
    [InlineData(404, "<html>404</html>", LlmServerProblem.EndpointSetting)]
    public void FromResponse_NamesTheSettingToFix(int status, string body, string setting)
    {
        var problem = LlmServerProblem.FromResponse(status, body, s_options);

        Assert.NotNull(problem);
        Assert.Equal(setting, problem.Setting);
        Assert.Contains(setting, problem.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-secret-key", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(422)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    public void FromResponse_OtherStatuses_AreNoConfigurationProblem(int status) =>
        Assert.Null(LlmServerProblem.FromResponse(status, """{"error":{"message":"x","type":"BadRequestError","code":400}}""", s_options));

    [Fact]
    public void FromResponse_401WithoutAKey_SaysAKeyIsNeeded()
    {
        var problem = LlmServerProblem.FromResponse(401, """{"error":"Unauthorized"}""", new LlmOptions());

        Assert.Contains("requires an API key", problem!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownModel_ListsWhatIsServed()
    {
        var problem = LlmServerProblem.UnknownModel(s_options, ["openai/gpt-oss-20b", "other"]);

        Assert.Equal(LlmServerProblem.ModelSetting, problem.Setting);
        Assert.Contains("openai/gpt-oss-20b, other", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    // vLLM 0.14's gpt-oss path (the exact body quoted in vLLM PR #36789).
    [InlineData("""{"error":{"message":"max_tokens must be at least 1, got -7584. (parameter=max_tokens, value=-7584)","type":"BadRequestError","param":"max_tokens","code":400}}""", true)]
    // The prompt fills the context exactly.
    [InlineData("""{"error":{"message":"max_tokens must be at least 1, got 0. (parameter=max_tokens, value=0)","type":"BadRequestError","param":"max_tokens","code":400}}""", true)]
    // Newer vLLM.
    [InlineData("""{"error":{"message":"The decoder prompt (length 9000) exceeds the model's maximum context length of 8192 tokens.","type":"BadRequestError","param":null,"code":400}}""", true)]
    // OpenAI style.
    [InlineData("""{"error":{"message":"This model's maximum context length is 8192 tokens. However, you requested 9100 tokens.","type":"BadRequestError","code":400}}""", true)]
    // Other 400s are not about the prompt's length.
    [InlineData("""{"error":{"message":"max_tokens must be at least 1, got 5000000000000000000000. (overflow)","type":"BadRequestError","code":400}}""", false)]
    [InlineData("""{"error":{"message":"top_logprobs must be at most 20","type":"BadRequestError","param":"top_logprobs","code":400}}""", false)]
    [InlineData("""{"error":{"message":"[{'type': 'missing', 'loc': ('body', 'messages')}]","type":"BadRequestError","code":400}}""", false)]
    public void IsContextLengthMessage_RecognisesEveryForm(string body, bool expected) =>
        Assert.Equal(expected, SafeguardClassifierClient.IsContextLengthMessage(body));
}
