using Safeguard.Stream.Classification.LoadTest;

namespace Safeguard.Stream.Classification.Tests.LoadTest;

public sealed class StepStatisticsTests
{
    private static RequestSample Sample(int worker, double end, double latencyMs = 100, string? error = null) =>
        new(worker, end, latencyMs, error, error is null ? 1000 : 0, error is null ? 150 : 0, error is null ? 800 : 0, error is null ? "stop" : null);

    [Fact]
    public void Summarize_ClosedLoopClients_RateIsCyclesPerSpanSummedOverClients()
    {
        // Client 0 answers every 0.5 s, client 1 every 0.25 s, both from 0.5 s on: 2 + 4 = 6 requests/s, whatever the window.
        var samples = Enumerable.Range(1, 5).Select(i => Sample(0, i * 0.5))
            .Concat(Enumerable.Range(2, 9).Select(i => Sample(1, i * 0.25))).ToList();

        var step = StepStatistics.Summarize("concurrency", 2, 256, null, 3, samples);

        Assert.Equal(6.0, step.RequestsPerSecond, 9);
        Assert.Equal(2.0, step.EditsPerSecond, 9);
        Assert.Equal(6000.0, step.PromptTokensPerSecond, 6);
        Assert.Equal(900.0, step.CompletionTokensPerSecond, 6);
        Assert.Equal(800.0, step.MeanCachedTokens, 9);
        Assert.Equal(14, step.Requests);
        Assert.Equal(12, step.LatencyMs.Count); // each client's first answer is warm-up
    }

    [Fact]
    public void Summarize_FailedRequests_AreCountedByKindAndTakenOffTheThroughput()
    {
        var samples = new List<RequestSample>
        {
            Sample(0, 1), Sample(0, 2), Sample(0, 3, error: "http_500"), Sample(0, 4), Sample(0, 5, error: "timeout"),
        };

        var step = StepStatistics.Summarize("concurrency", 1, 256, null, 1, samples);

        Assert.Equal(2, step.Errors);
        Assert.Equal(["http_500", "timeout"], step.ErrorKinds.Keys);
        Assert.All(step.ErrorKinds.Values, n => Assert.Equal(1, n));
        Assert.Equal(0.5, step.RequestsPerSecond, 9); // 1 request/s, half of the steady ones failed
        Assert.Equal(0.4, step.ErrorShare, 9);
        Assert.Equal(2, step.LatencyMs.Count);
    }

    [Fact]
    public void Summarize_OneAnswerPerClient_FallsBackToAnswersOverWallTime()
    {
        var step = StepStatistics.Summarize("size", 4, 2048, 512, 5, [Sample(0, 2), Sample(1, 2), Sample(2, 4), Sample(3, 4)]);

        Assert.Equal(1.0, step.RequestsPerSecond, 9);
        Assert.Equal(512, step.CompletionTokensRequested);
        Assert.Equal(4, step.LatencyMs.Count);
    }

    [Fact]
    public void Summarize_NoSamples_ZeroesNotErrors()
    {
        var step = StepStatistics.Summarize("concurrency", 8, 256, null, 5, []);

        Assert.Equal(0, step.RequestsPerSecond);
        Assert.Null(step.LatencyMs.P50);
        Assert.Equal(0, step.ErrorShare);
    }
}
