using Safeguard.Stream.Classification.Llm;
using Safeguard.Stream.Classification.Policies;
using Safeguard.Stream.Core.Policies;
using Safeguard.Stream.Fakes;
using Safeguard.Stream.IntegrationTests.Evaluation;
using Safeguard.Stream.IntegrationTests.Infrastructure;

namespace Safeguard.Stream.IntegrationTests.Classification;

/// <summary><c>safeguard llm check</c> against the vLLM simulator in each of its modes: what passes, warns and fails.</summary>
public sealed class LlmConformanceCheckTests
{
    private static Policy LoadPolicy(string id)
    {
        var file = Path.Combine(LocalServicesFixture.PoliciesPath, id + ".md");
        return PolicyDocument.Parse(file, File.ReadAllText(file)).Policy!;
    }

    private static async Task<IReadOnlyList<CheckResult>> CheckAsync(VllmSimulatorOptions simulatorOptions, Action<LlmOptions>? configure = null, string policy = "spam")
    {
        await using var simulator = await VllmSimulator.StartAsync(simulatorOptions with { Latency = TimeSpan.Zero }, ct: TestContext.Current.CancellationToken);
        var options = new LlmOptions { Endpoint = simulator.BaseUrl, RetryBaseDelay = TimeSpan.FromMilliseconds(5), RequestTimeout = TimeSpan.FromSeconds(5), MaxAttempts = 2 };
        configure?.Invoke(options);
        var client = ClassifierClients.Create(options);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return await new LlmConformanceCheck(client, options, http, TimeProvider.System).RunAsync([LoadPolicy(policy)], TestContext.Current.CancellationToken);
    }

    private static CheckResult One(IReadOnlyList<CheckResult> results, string name) =>
        results.Single(r => r.Name == name);

    [Theory]
    [InlineData("spam")]
    [InlineData("vandalism-de")] // German examples, with an edit summary
    public async Task Check_ServerAsDeployed_EveryCheckPasses(string policy)
    {
        var results = await CheckAsync(new VllmSimulatorOptions { EnablePromptTokensDetails = true }, policy: policy);

        Assert.Equal(0, LlmConformanceCheck.ExitCode(results));
        Assert.All(results.Where(r => !r.Name.EndsWith(": verdict", StringComparison.Ordinal) && r.Name != "server"), r => Assert.Equal(CheckOutcome.Pass, r.Outcome));
        Assert.Contains("vLLM simulator", One(results, "server").Detail, StringComparison.Ordinal); // always labelled
        Assert.Contains(results, r => r.Name == $"{policy}: violating example: logprobs" && r.Detail.Contains("P(violation)", StringComparison.Ordinal));
        Assert.Contains("cached", One(results, $"{policy}: prefix cache").Detail, StringComparison.Ordinal);
        Assert.Equal(CheckOutcome.Pass, One(results, "scheduler metrics").Outcome);
    }

    [Fact]
    public async Task Check_WithoutPromptTokensDetails_WarnsNamingTheFlag_AndStillExitsZero()
    {
        var results = await CheckAsync(new VllmSimulatorOptions());

        var cache = One(results, "spam: prefix cache");
        Assert.Equal(CheckOutcome.Warn, cache.Outcome);
        Assert.Contains("--enable-prompt-tokens-details", cache.Detail, StringComparison.Ordinal);
        Assert.Equal(0, LlmConformanceCheck.ExitCode(results));
    }

    [Fact]
    public async Task Check_WrongKey_FailsAuthorisedNamingTheSetting()
    {
        var results = await CheckAsync(new VllmSimulatorOptions { ApiKey = "server-key" }, o => o.ApiKey = "client-key");

        Assert.Equal(CheckOutcome.Pass, One(results, "reachable").Outcome);
        var authorised = One(results, "authorised");
        Assert.Equal(CheckOutcome.Fail, authorised.Outcome);
        Assert.Contains("Safeguard:Llm:ApiKey", authorised.Detail, StringComparison.Ordinal);
        Assert.Equal(1, LlmConformanceCheck.ExitCode(results));
        Assert.DoesNotContain(results, r => r.Name.StartsWith("spam:", StringComparison.Ordinal)); // nothing is sent to a server that refuses the key
    }

    [Fact]
    public async Task Check_RightKey_PassesAuthorised()
    {
        var results = await CheckAsync(new VllmSimulatorOptions { ApiKey = "server-key", EnablePromptTokensDetails = true }, o => o.ApiKey = "server-key");

        Assert.Equal(CheckOutcome.Pass, One(results, "authorised").Outcome);
        Assert.Equal(0, LlmConformanceCheck.ExitCode(results));
    }

    [Fact]
    public async Task Check_ModelNotServed_FailsNamingTheModelSettingAndWhatIsServed()
    {
        var results = await CheckAsync(new VllmSimulatorOptions(), o => o.Model = "openai/gpt-oss-20b");

        var model = One(results, "model served");
        Assert.Equal(CheckOutcome.Fail, model.Outcome);
        Assert.Contains("Safeguard:Llm:Model", model.Detail, StringComparison.Ordinal);
        Assert.Contains("openai/gpt-oss-safeguard-20b", model.Detail, StringComparison.Ordinal);
        Assert.Equal(1, LlmConformanceCheck.ExitCode(results));
    }

    [Fact]
    public async Task Check_WrongBasePath_FailsNamingTheEndpointSetting()
    {
        var results = await CheckAsync(new VllmSimulatorOptions(), o => o.Endpoint = new Uri(o.Endpoint, "/openai/v1/"));

        var api = One(results, "OpenAI-compatible API");
        Assert.Equal(CheckOutcome.Fail, api.Outcome);
        Assert.Contains("Safeguard:Llm:Endpoint", api.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_Unreachable_FailsReachable()
    {
        var results = await CheckAsync(new VllmSimulatorOptions(), o => o.Endpoint = new Uri("http://127.0.0.1:9/v1"));

        Assert.Equal(CheckOutcome.Fail, Assert.Single(results).Outcome);
        Assert.Equal(1, LlmConformanceCheck.ExitCode(results));
    }

    [Theory]
    [InlineData(VllmFault.ReasoningOnly, "vLLM 0.11.x")]
    [InlineData(VllmFault.ContentNullStop, "not returning gpt-oss's final channel")]
    [InlineData(VllmFault.LengthNoContent, "Safeguard:Llm:MaxOutputTokens")]
    public async Task Check_AnswerNotInContent_FailsExplainingTheShape(VllmFault mode, string explanation)
    {
        var results = await CheckAsync(new VllmSimulatorOptions { FaultMode = mode, EnablePromptTokensDetails = true });

        var content = One(results, "spam: violating example: answer in content");
        Assert.Equal(CheckOutcome.Fail, content.Outcome);
        Assert.Contains(explanation, content.Detail, StringComparison.Ordinal);
        Assert.Equal(1, LlmConformanceCheck.ExitCode(results));
    }

    [Fact]
    public async Task Check_MalformedContent_FailsTheVerdict()
    {
        var results = await CheckAsync(new VllmSimulatorOptions { FaultMode = VllmFault.MalformedContent, EnablePromptTokensDetails = true });

        Assert.Equal(CheckOutcome.Fail, One(results, "spam: violating example: verdict").Outcome);
        Assert.Equal(1, LlmConformanceCheck.ExitCode(results));
    }

    [Fact]
    public async Task Check_NoLogprobs_WarnsWithTheConsequence()
    {
        var results = await CheckAsync(new VllmSimulatorOptions { EnablePromptTokensDetails = true }, o => o.RequestLogProbabilities = false);

        var logprobs = One(results, "spam: violating example: logprobs");
        Assert.Equal(CheckOutcome.Warn, logprobs.Outcome);
        Assert.Contains("every violation is flagged", logprobs.Detail, StringComparison.Ordinal);
        Assert.Equal(0, LlmConformanceCheck.ExitCode(results));
    }

    [Fact]
    public async Task Check_MetricsNotReadable_Warns()
    {
        var results = await CheckAsync(new VllmSimulatorOptions { EnablePromptTokensDetails = true }, o => o.MetricsEndpoint = new Uri(o.Endpoint, "/no-metrics"));

        var metrics = One(results, "scheduler metrics");
        Assert.Equal(CheckOutcome.Warn, metrics.Outcome);
        Assert.Contains("latency rule", metrics.Detail, StringComparison.Ordinal);
        Assert.Equal(0, LlmConformanceCheck.ExitCode(results));
    }

    [Fact]
    public async Task Cli_AgainstASimulatorWithAKey_ExitsZeroWithTheKeyAndOneWithAWrongOne()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var simulator = await VllmSimulator.StartAsync(new VllmSimulatorOptions { ApiKey = "sk-right", EnablePromptTokensDetails = true, Latency = TimeSpan.Zero }, ct: ct);
        Dictionary<string, string> Environment(string key) => new()
        {
            ["Safeguard__Llm__Endpoint"] = simulator.BaseUrl.ToString(),
            ["Safeguard__Llm__ApiKey"] = key,
            ["Safeguard__Policies__Directory"] = LocalServicesFixture.PoliciesPath,
        };

        var (okExit, okOut, okErr) = await EvalProcess.SafeguardAsync(["llm", "check", "--policy", "spam"], Environment("sk-right"), ct);
        var (badExit, badOut, _) = await EvalProcess.SafeguardAsync(["llm", "check"], Environment("sk-wrong"), ct);
        var (usageExit, _, usageErr) = await EvalProcess.SafeguardAsync(["llm", "check", "--policy", "nope"], Environment("sk-right"), ct);

        Assert.True(okExit == 0, okOut + okErr);
        Assert.Contains("PASS  spam: violating example: answer in content", okOut, StringComparison.Ordinal);
        Assert.Equal(1, badExit);
        Assert.Contains("FAIL  authorised: ", badOut, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-wrong", badOut, StringComparison.Ordinal);
        Assert.Equal(2, usageExit);
        Assert.Contains("--policy: no policy 'nope'", usageErr, StringComparison.Ordinal);
    }
}
