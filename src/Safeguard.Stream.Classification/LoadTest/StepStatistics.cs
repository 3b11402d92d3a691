using Safeguard.Stream.Classification.Evaluation;

namespace Safeguard.Stream.Classification.LoadTest;

/// <summary>
/// Turns one step's request samples into its numbers. Pure arithmetic.
/// <para>Throughput is measured per closed-loop client, from its first answer to its last: a client that got n answers
/// in that span completed n − 1 request cycles in it, exactly, so the step's rate is the sum over clients of
/// (n − 1) / span. Counting answers in a fixed window instead would be off by up to one request per client (the ones
/// cut by the window's edges), a large error for short steps at high concurrency. The first answer of each client
/// (all clients start at once, their prompts prefilled together) is the warm-up: it opens the span and is left out of
/// the latency percentiles. With a single answer per client the rate falls back to answers / wall time.</para>
/// </summary>
public static class StepStatistics
{
    public static LoadStep Summarize(string phase, int concurrency, int editTokens, int? completionTokens, int requestsPerEdit, IReadOnlyList<RequestSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfLessThan(requestsPerEdit, 1);
        var byWorker = samples.GroupBy(s => s.Worker).Select(g => g.OrderBy(s => s.EndSeconds).ToList()).ToList();
        var rate = 0.0;
        var steady = new List<RequestSample>();
        if (byWorker.Count > 0 && byWorker.All(w => w.Count >= 2 && w[^1].EndSeconds > w[0].EndSeconds))
        {
            foreach (var worker in byWorker)
            {
                rate += (worker.Count - 1) / (worker[^1].EndSeconds - worker[0].EndSeconds);
                steady.AddRange(worker.Skip(1));
            }
        }
        else
        {
            var wall = samples.Count == 0 ? 0 : samples.Max(s => s.EndSeconds);
            rate = wall > 0 ? samples.Count / wall : 0;
            steady.AddRange(samples);
        }

        var ok = steady.Where(s => s.Error is null).ToList();
        var okShare = steady.Count == 0 ? 0 : (double)ok.Count / steady.Count;
        var requestsPerSecond = rate * okShare;
        var meanPrompt = ok.Count == 0 ? 0 : ok.Average(s => s.PromptTokens);
        var meanCompletion = ok.Count == 0 ? 0 : ok.Average(s => s.CompletionTokens);
        return new LoadStep
        {
            Phase = phase,
            Concurrency = concurrency,
            EditTokens = editTokens,
            CompletionTokensRequested = completionTokens,
            Requests = samples.Count,
            Errors = samples.Count(s => s.Error is not null),
            ErrorKinds = samples.Where(s => s.Error is not null).GroupBy(s => s.Error!).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            DurationSeconds = samples.Count == 0 ? 0 : samples.Max(s => s.EndSeconds),
            RequestsPerSecond = requestsPerSecond,
            PromptTokensPerSecond = requestsPerSecond * meanPrompt,
            CompletionTokensPerSecond = requestsPerSecond * meanCompletion,
            EditsPerSecond = SaturationKnee.EditsPerSecond(requestsPerSecond, requestsPerEdit),
            MeanPromptTokens = meanPrompt,
            MeanCachedTokens = ok.Count == 0 ? 0 : ok.Average(s => s.CachedTokens),
            MeanCompletionTokens = meanCompletion,
            LengthFinishes = samples.Count(s => s.Error is null && s.FinishReason == "length"),
            LatencyMs = EvalMetricsCalculator.Distribution([.. ok.Select(s => s.LatencyMs)]),
        };
    }
}
