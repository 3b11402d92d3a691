using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI.Chat;
using Safeguard.Stream.Classification.Evaluation;

namespace Safeguard.Stream.Classification.LoadTest;

/// <summary>
/// Runs one step of a load test: <c>concurrency</c> clients in a closed loop (each sends its next request when its
/// answer arrives), through the OpenAI SDK's <see cref="ChatClient"/> as the worker does, with no retries and no
/// adaptive limit, so that what is measured is the server. A step lasts its duration, and each client gets at least
/// two answers (one to warm up, one to measure); requests already sent when it ends are awaited, never cut, so long
/// answers are not left out of the percentiles. Every request is bounded by the request timeout.
/// </summary>
internal sealed class LoadGenerator(ChatClient chat, TimeProvider time, TimeSpan requestTimeout)
{
    private const int MinAnswersPerClient = 2;

    private int _simulated;

    /// <summary>An answer's reasoning or content carried the simulator's <c>[simulated]</c> marker.</summary>
    public bool SawSimulator => Volatile.Read(ref _simulated) == 1;

    /// <summary>
    /// One step. <paramref name="request"/> builds the body of the run's request number n; <paramref name="budget"/>
    /// is the run's remaining request count, shared by all clients; <paramref name="completed"/> sees every sample.
    /// </summary>
    public async Task<IReadOnlyList<RequestSample>> RunStepAsync(
        int concurrency, TimeSpan duration, Func<BinaryData> request, RequestBudget budget, Action<RequestSample> completed, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var samples = new List<RequestSample>();
        var gate = new Lock();
        var clients = Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var answers = 0;
            while (!cancellationToken.IsCancellationRequested
                   && (time.GetElapsedTime(started) < duration || answers < MinAnswersPerClient)
                   && budget.TryTake())
            {
                var sample = await SendAsync(worker, request(), started, cancellationToken);
                if (sample is null)
                {
                    return; // cancelled: the run is being interrupted
                }

                answers++;
                lock (gate)
                {
                    samples.Add(sample);
                }

                completed(sample);
            }
        }, CancellationToken.None)).ToList();
        await Task.WhenAll(clients);
        lock (gate)
        {
            return [.. samples];
        }
    }

    private async Task<RequestSample?> SendAsync(int worker, BinaryData body, long stepStarted, CancellationToken cancellationToken)
    {
        var sent = time.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(requestTimeout);
        string? error = null;
        ChatAnswer? answer = null;
        try
        {
            var result = await chat.CompleteChatAsync(BinaryContent.Create(body), new RequestOptions { CancellationToken = timeout.Token });
            answer = ChatExchange.ReadAnswer(result.GetRawResponse().Content);
            if (Marked(answer.Reasoning) || Marked(answer.Content))
            {
                Interlocked.Exchange(ref _simulated, 1);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (OperationCanceledException)
        {
            error = "timeout";
        }
        catch (ClientResultException ex) when (ex.Status > 0)
        {
            error = "http_" + ex.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (ClientResultException)
        {
            error = "connection";
        }
        catch (HttpRequestException)
        {
            error = "connection";
        }
        catch (MalformedResponseException)
        {
            error = "malformed_response";
        }

        var end = time.GetTimestamp();
        return new RequestSample(worker, time.GetElapsedTime(stepStarted, end).TotalSeconds, time.GetElapsedTime(sent, end).TotalMilliseconds, error,
            answer?.PromptTokens ?? 0, answer?.CompletionTokens ?? 0, answer?.CachedTokens ?? 0, answer?.FinishReason);
    }

    private static bool Marked(string? text) => text?.Contains(EvalMetricsCalculator.SimulatedMarker, StringComparison.Ordinal) == true;
}

/// <summary>The run's remaining requests (<c>--max-requests</c>), taken one at a time by every client of every step.</summary>
internal sealed class RequestBudget(int total)
{
    private int _left = total;

    public bool Exhausted => Volatile.Read(ref _left) <= 0;

    public bool TryTake() => Interlocked.Decrement(ref _left) >= 0;
}
