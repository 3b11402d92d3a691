using System.ClientModel;

namespace Safeguard.Stream.Classification.Llm;

public enum CheckOutcome
{
    Pass,
    Warn,
    Fail,
}

/// <summary>One line of <c>safeguard llm check</c>.</summary>
/// <param name="Name">What was checked, e.g. <c>spam: verdict (violating example)</c>.</param>
/// <param name="Outcome">PASS, WARN or FAIL.</param>
/// <param name="Detail">What was seen; for a WARN the consequence, for a FAIL the server flag or setting to change.</param>
/// <param name="Required">A FAIL of a required check makes the exit code 1.</param>
public sealed record CheckResult(string Name, CheckOutcome Outcome, string Detail, bool Required)
{
    public override string ToString() => $"{Outcome.ToString().ToUpperInvariant(),-4}  {Name}: {Detail}";
}

/// <summary>
/// A conformance check of a model server against what the worker needs, run before anything else against
/// LiftWing or any vLLM (<c>safeguard llm check</c>). Per policy it sends one edit the policy's own EXAMPLES say
/// violates it and one they say does not, through the same client and prompt as the pipeline
/// (<see cref="SafeguardClassifierClient.ExchangeAsync"/>), and reads the answers' shape. Required: the endpoint is
/// reachable and authorised, the model is served, and the verdict is in <c>content</c> and parses. Everything else is
/// a WARN with its consequence spelled out.
/// </summary>
public sealed class LlmConformanceCheck(SafeguardClassifierClient client, LlmOptions options, HttpClient http, TimeProvider timeProvider)
{
    private const string SimulatedMarker = "[simulated]";
    private bool _simulated;

    public async Task<IReadOnlyList<CheckResult>> RunAsync(IReadOnlyList<Policy> policies, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policies);
        var results = new List<CheckResult>();
        var models = await LlmModelsProbe.CheckAsync(http, options, cancellationToken);
        results.AddRange(ServerChecks(models));
        if (!models.Ok)
        {
            return results; // nothing further can be learnt from a server that cannot be asked
        }

        foreach (var policy in policies)
        {
            await CheckPolicyAsync(policy, results, cancellationToken);
        }

        results.Add(await SchedulerMetricsAsync(cancellationToken));
        if (_simulated)
        {
            results.Add(new("server", CheckOutcome.Warn,
                "the answers came from the vLLM simulator (rationales start with \"[simulated]\"): this checked the plumbing, not a model", false));
        }

        return results;
    }

    /// <summary>0 when every required check passed, 1 otherwise.</summary>
    public static int ExitCode(IEnumerable<CheckResult> results) =>
        results.Any(r => r.Required && r.Outcome == CheckOutcome.Fail) ? 1 : 0;

    private IEnumerable<CheckResult> ServerChecks(LlmModelsReport models)
    {
        if (!models.Reachable)
        {
            yield return new("reachable", CheckOutcome.Fail, models.Describe(options), true);
            yield break;
        }

        yield return new("reachable", CheckOutcome.Pass, $"{options.Endpoint} answers", true);
        if (models.Problem is { Setting: LlmServerProblem.ApiKeySetting } key)
        {
            yield return new("authorised", CheckOutcome.Fail, key.Message, true);
            yield break;
        }

        if (models.Problem is { Setting: LlmServerProblem.EndpointSetting } || models.Error is not null)
        {
            yield return new("OpenAI-compatible API", CheckOutcome.Fail, models.Describe(options), true);
            yield break;
        }

        yield return new("authorised", CheckOutcome.Pass,
            string.IsNullOrEmpty(options.ApiKey) ? "no API key set, none required" : "the API key is accepted", true);
        yield return models.Problem is { } model
            ? new("model served", CheckOutcome.Fail, model.Message, true)
            : new("model served", CheckOutcome.Pass, $"/v1/models lists {options.Model}", true);
    }

    private async Task CheckPolicyAsync(Policy policy, List<CheckResult> results, CancellationToken cancellationToken)
    {
        var examples = PolicyExamples.Parse(policy.Body);
        var violating = examples.FirstOrDefault(e => e.Violation);
        var safe = examples.FirstOrDefault(e => !e.Violation);
        if (violating is null || safe is null)
        {
            results.Add(new($"{policy.Id}: examples", CheckOutcome.Fail,
                $"the policy's EXAMPLES need one violating and one safe 'Content: … / Answer: …' pair ({policy.SourcePath ?? policy.Id}); nothing was sent",
                true));
            return;
        }

        var first = await SendAsync(policy, violating, "violating example", results, cancellationToken);
        var second = await SendAsync(policy, safe, "safe example", results, cancellationToken);
        if (first is null || second is null)
        {
            return;
        }

        results.Add(PrefixCache(policy, second.Answer));
        var latency = Math.Max(first.Latency.TotalMilliseconds, second.Latency.TotalMilliseconds);
        results.Add(new($"{policy.Id}: latency and tokens", CheckOutcome.Pass, string.Create(CultureInfo.InvariantCulture,
            $"{first.Latency.TotalMilliseconds:0} ms and {second.Latency.TotalMilliseconds:0} ms; prompt {first.Answer.PromptTokens} and {second.Answer.PromptTokens} tokens, completion {first.Answer.CompletionTokens} and {second.Answer.CompletionTokens} (reasoning effort {policy.ReasoningEffort.ToName()}){(latency > options.RequestTimeout.TotalMilliseconds / 2 ? $"; over half of Safeguard:Llm:RequestTimeout ({options.RequestTimeout.TotalSeconds:0} s)" : "")}"),
            false));
    }

    private async Task<Exchange?> SendAsync(Policy policy, PolicyExample example, string label, List<CheckResult> results, CancellationToken cancellationToken)
    {
        var name = $"{policy.Id}: {label}";
        var started = timeProvider.GetTimestamp();
        ChatAnswer answer;
        try
        {
            answer = await client.ExchangeAsync(policy, Edit(policy, example), new DiffText(example.Added, example.Removed, []), cancellationToken);
        }
        catch (LlmMisconfiguredException ex)
        {
            results.Add(new($"{name}: request", CheckOutcome.Fail, ex.Problem.Message, true));
            return null;
        }
        catch (ClientResultException ex) when (ex.Status is > 0 and < 500)
        {
            results.Add(new($"{name}: request", CheckOutcome.Fail,
                $"HTTP {ex.Status} to a chat completion: {Short(ex.GetRawResponse()?.Content?.ToString() ?? ex.Message)}", true));
            return null;
        }
        catch (Exception ex) when (ex is ClientResultException or HttpRequestException or MalformedResponseException or LlmUnavailableException
                                   or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException && !cancellationToken.IsCancellationRequested)
        {
            results.Add(new($"{name}: request", CheckOutcome.Fail, $"no usable answer: {ex.GetType().Name}: {Short(ex.Message)}", true));
            return null;
        }

        var latency = timeProvider.GetElapsedTime(started);
        var contentEmpty = string.IsNullOrWhiteSpace(answer.Content);
        results.Add(AnswerInContent(name, answer, contentEmpty));
        results.Add(string.IsNullOrWhiteSpace(answer.Reasoning)
            ? new($"{name}: reasoning", CheckOutcome.Warn,
                "no reasoning in the answer (message.reasoning): audit rows lose the model's reasoning (Safeguard:Llm:StoreReasoning) and the server may not be running gpt-oss's harmony path",
                false)
            : new($"{name}: reasoning", CheckOutcome.Pass, $"{answer.Reasoning!.Length} characters", false));
        if (contentEmpty)
        {
            return null;
        }

        if (!VerdictParser.TryParse(answer.Content, out var verdict, out var error))
        {
            results.Add(new($"{name}: verdict", CheckOutcome.Fail,
                $"content is not the policy's verdict JSON ({error}): {Short(answer.Content!)}; check that the server serves gpt-oss-safeguard and that Safeguard:Llm:PolicyRole suits it",
                true));
            return null;
        }

        _simulated |= verdict.Rationale?.StartsWith(SimulatedMarker, StringComparison.Ordinal) == true;
        results.Add(verdict.Violation == example.Violation
            ? new($"{name}: verdict", CheckOutcome.Pass, $"violation={(verdict.Violation ? 1 : 0)} as the policy's example says", true)
            : new($"{name}: verdict", CheckOutcome.Warn,
                $"violation={(verdict.Violation ? 1 : 0)}, the policy's example says {(example.Violation ? 1 : 0)}: verdicts are sampled (temperature 1) and vary; if it repeats, check Safeguard:Llm:PolicyRole and the policy's reasoning_effort",
                false));
        results.Add(LogProbabilities(name, answer, verdict));
        return new Exchange(answer, latency);
    }

    private static CheckResult AnswerInContent(string name, ChatAnswer answer, bool contentEmpty)
    {
        if (!contentEmpty)
        {
            return new($"{name}: answer in content", CheckOutcome.Pass, $"finish_reason {answer.FinishReason ?? "null"}", true);
        }

        var inReasoning = VerdictParser.LastVerdictObject(answer.Reasoning) is not null;
        var detail = answer.FinishReason switch
        {
            "length" => "content is empty and finish_reason is \"length\": the reasoning used the whole output budget; unset Safeguard:Llm:MaxOutputTokens and give the server room (vLLM --max-model-len 8192 or more)",
            "stop" when inReasoning && answer.Content is not null =>
                "content is \"\" and the verdict sits in the reasoning: vLLM 0.11.x's answer shape (it splits harmony output by position); upgrade to vLLM 0.13 or later (the worker copes and reads the reasoning, logging a warning)",
            "stop" when inReasoning =>
                "content is null with finish_reason \"stop\" and the verdict sits in the reasoning: the final-channel header was malformed (vLLM issue #45736); upgrade vLLM (the worker copes and reads the reasoning)",
            _ => $"content is {(answer.Content is null ? "null" : "empty")} with finish_reason {answer.FinishReason ?? "null"} and no verdict anywhere: the server is not returning gpt-oss's final channel",
        };
        return new($"{name}: answer in content", CheckOutcome.Fail, detail, true);
    }

    private static CheckResult LogProbabilities(string name, ChatAnswer answer, ParsedVerdict verdict)
    {
        if (answer.Tokens is not { Count: > 0 })
        {
            return new($"{name}: logprobs", CheckOutcome.Warn,
                "no logprobs in the answer: verdicts get no probability, and every violation is flagged whatever the policy's threshold (the README's fallback mapping); allow them on the server (vLLM --max-logprobs at least Safeguard:Llm:TopLogProbabilities) or a gateway that passes logprobs through",
                false);
        }

        return VerdictProbability.FromLogProbabilities(answer.Tokens, verdict.Violation, answer.Content) is { } p
            ? new($"{name}: logprobs", CheckOutcome.Pass, string.Create(CultureInfo.InvariantCulture, $"verdict digit found, P(violation) = {p:0.000}"), false)
            : new($"{name}: logprobs", CheckOutcome.Warn,
                "logprobs present, but the verdict digit was not found in them: verdicts get no probability and every violation is flagged whatever the threshold",
                false);
    }

    private static CheckResult PrefixCache(Policy policy, ChatAnswer second)
    {
        const string Name = "prefix cache";
        if (!second.HasPromptTokensDetails)
        {
            return new($"{policy.Id}: {Name}", CheckOutcome.Warn,
                "usage.prompt_tokens_details is null: cache hits cannot be seen (the prefix_cache_hit_ratio and cached-token metrics stay 0); start vLLM with --enable-prompt-tokens-details",
                false);
        }

        return second.CachedTokens > 0
            ? new($"{policy.Id}: {Name}", CheckOutcome.Pass, string.Create(CultureInfo.InvariantCulture, $"second request: {second.CachedTokens} of {second.PromptTokens} prompt tokens cached"), false)
            : new($"{policy.Id}: {Name}", CheckOutcome.Warn,
                "second request with the same policy: 0 cached tokens: every edit pays for the whole policy again; start vLLM with --enable-prefix-caching",
                false);
    }

    private async Task<CheckResult> SchedulerMetricsAsync(CancellationToken cancellationToken)
    {
        const string Name = "scheduler metrics";
        var uri = VllmSchedulerProbe.MetricsUri(options);
        var (waiting, problem) = await VllmSchedulerProbe.ReadWaitingAsync(http, uri, options, TimeSpan.FromSeconds(10), cancellationToken);
        return waiting is { } n
            ? new(Name, CheckOutcome.Pass, string.Create(CultureInfo.InvariantCulture, $"{VllmSchedulerProbe.WaitingGauge} = {n} at {uri}"), false)
            : new(Name, CheckOutcome.Warn,
                $"GET {uri}: {problem}: the concurrency limiter falls back to its latency rule, which fills vLLM's batch less well; expose vLLM's /metrics or set Safeguard:Llm:MetricsEndpoint",
                false);
    }

    /// <summary>An edit on a wiki the policy applies to (its language decides the domain, e.g. de.wikipedia.org for vandalism-de).</summary>
    private EditEvent Edit(Policy policy, PolicyExample example)
    {
        var scope = policy.AppliesTo;
        var language = scope.Languages.Count > 0 ? scope.Languages[0] : "en";
        return new()
        {
            SchemaUri = "llm-check",
            Stream = "llm-check",
            Domain = $"{language}.wikipedia.org",
            WikiId = scope.Wikis.Count > 0 ? scope.Wikis[0] : $"{language}wiki",
            RevId = 0,
            Kind = EditKind.Edit,
            SourceKind = "llm-check",
            PageTitle = "Conformance check",
            Namespace = scope.Namespaces.Count > 0 ? scope.Namespaces[0] : 0,
            Comment = example.Summary,
            EventTime = timeProvider.GetUtcNow(),
        };
    }

    private static string Short(string text) => text.Length <= 160 ? text : text[..160] + "…";

    private sealed record Exchange(ChatAnswer Answer, TimeSpan Latency);
}
