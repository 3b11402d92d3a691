using Safeguard.Stream.Core.Prompts;

namespace Safeguard.Stream.Classification.Llm;

public sealed partial class SafeguardClassifierClient
{
    /// <summary>
    /// Classifies one edit under every policy of <paramref name="bundle"/> with one request (<c>Safeguard:Llm:Bundle</c>).
    /// Each policy gets its own verdict, its probability read from its own verdict digit's logprobs. A policy whose
    /// verdict is missing or unusable in the answer is classified again on its own (<see cref="ClassifyAsync"/>), and so
    /// is every policy when no attempt gave a usable bundled answer or the bundle did not fit the context: one policy's
    /// problem never costs the others their verdicts. The bundle's token usage is shared out evenly across its verdicts,
    /// so the sums stay true; each verdict carries the whole request's latency.
    /// </summary>
    public async Task<IReadOnlyList<PolicyVerdict>> ClassifyBundleAsync(PolicyBundle bundle, ClassificationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        ArgumentNullException.ThrowIfNull(request);

        var run = StartRun(bundle.ReasoningEffort);
        var ids = bundle.Policies.Select(p => p.Id).ToList();
        var first = bundle.Policies[0];
        for (var attempt = 1; attempt <= _options.MaxAttempts; attempt++)
        {
            var diff = request.Diff.TruncateTo(_options.MaxDiffCharacters);
            var body = WriteRequest(bundle.Instructions, request.Edit, diff, run);

            var sent = await AttemptAsync(body, run.Retries, cancellationToken);
            if (sent.ContextTooLong)
            {
                Log.ContextTooLong(_logger, "bundle:" + string.Join('+', ids), request.Edit.WikiId, request.Edit.RevId, attempt, diff.CharacterCount);
                break;
            }

            if (sent.Answer is not { } answer)
            {
                Log.UnusableAnswer(_logger, "bundle:" + string.Join('+', ids), request.Edit.WikiId, request.Edit.RevId, attempt, sent.Malformed!);
                continue;
            }

            run.Add(answer);
            if (!BundleVerdictParser.TryParse(answer.Content, ids, out var parsed, out var problems, out var error))
            {
                Log.UnusableAnswer(_logger, "bundle:" + string.Join('+', ids), request.Edit.WikiId, request.Edit.RevId, attempt, error ?? "no verdicts");
                if (answer.StoppedByLength)
                {
                    run.ThinkLess();
                }

                continue;
            }

            var verdicts = new List<PolicyVerdict>(bundle.Policies.Count);
            var share = Share(run, parsed.Count);
            var index = 0;
            foreach (var policy in bundle.Policies)
            {
                if (!parsed.TryGetValue(policy.Id, out var verdict))
                {
                    Log.UnusableAnswer(_logger, policy.Id, request.Edit.WikiId, request.Edit.RevId, attempt, "bundle: " + problems[policy.Id] + "; classified on its own");
                    verdicts.Add(await ClassifyAsync(policy, request, cancellationToken));
                    continue;
                }

                var probability = VerdictProbability.FromLogProbabilities(answer.Tokens, verdict.Violation, answer.Content, PolicyBundle.AnswerKey(policy.Id));
                var (prompt, completion, cached) = share(index++);
                verdicts.Add(OkVerdict(policy, run, diff.Truncated, answer, verdict, probability) with
                {
                    PromptTokens = prompt,
                    CompletionTokens = completion,
                    CachedTokens = cached,
                });
            }

            return verdicts;
        }

        // No usable bundled answer: every policy on its own, as without bundles.
        Log.UnusableAnswer(_logger, first.Id, request.Edit.WikiId, request.Edit.RevId, _options.MaxAttempts, "bundle: no usable answer; each policy classified on its own");
        var separate = new List<PolicyVerdict>(bundle.Policies.Count);
        foreach (var policy in bundle.Policies)
        {
            separate.Add(await ClassifyAsync(policy, request, cancellationToken));
        }

        return separate;
    }

    /// <summary>Splits the bundle's usage over <paramref name="count"/> verdicts: equal shares, the remainder on the first.</summary>
    private static Func<int, (int Prompt, int Completion, int Cached)> Share(Run run, int count) => index =>
    {
        static int Part(int total, int count, int index) => (total / count) + (index == 0 ? total % count : 0);
        return count == 0 ? (0, 0, 0) : (Part(run.PromptTokens, count, index), Part(run.CompletionTokens, count, index), Part(run.CachedTokens, count, index));
    };
}
