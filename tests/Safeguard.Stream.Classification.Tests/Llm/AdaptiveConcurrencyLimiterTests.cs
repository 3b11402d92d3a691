using Safeguard.Stream.Classification.Llm;

namespace Safeguard.Stream.Classification.Tests.Llm;

public sealed class AdaptiveConcurrencyLimiterTests
{
    private static readonly TimeSpan s_fast = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task AcquireAsync_AtTheLimit_WaitsUntilASlotIsReleased()
    {
        var limiter = new AdaptiveConcurrencyLimiter(2, 8);
        var ct = TestContext.Current.CancellationToken;
        var first = await limiter.AcquireAsync(ct);
        using var second = await limiter.AcquireAsync(ct);

        var third = limiter.AcquireAsync(ct).AsTask();

        Assert.False(third.IsCompleted);
        Assert.Equal(2, limiter.InFlight);
        Assert.Equal(1, limiter.Waiting);
        first.Dispose();
        using var granted = await third;
        Assert.Equal(2, limiter.InFlight);
        Assert.Equal(0, limiter.Waiting);
    }

    [Fact]
    public async Task Succeeded_UnderFullUse_GrowsTheLimitAdditively()
    {
        var limiter = new AdaptiveConcurrencyLimiter(2, 4);
        var ct = TestContext.Current.CancellationToken;

        for (var round = 0; round < 40; round++)
        {
            var leases = new List<ConcurrencyLease>();
            for (var i = 0; i < limiter.CurrentLimit; i++)
            {
                leases.Add(await limiter.AcquireAsync(ct));
            }

            foreach (var lease in leases)
            {
                lease.Succeeded(s_fast, 100);
                lease.Dispose();
            }
        }

        Assert.Equal(4, limiter.CurrentLimit); // grew from 2 and stopped at the maximum
    }

    [Fact]
    public async Task Succeeded_WhileMostlyIdle_DoesNotGrow()
    {
        var limiter = new AdaptiveConcurrencyLimiter(4, 16);
        var ct = TestContext.Current.CancellationToken;

        for (var i = 0; i < 100; i++)
        {
            using var lease = await limiter.AcquireAsync(ct);
            lease.Succeeded(s_fast, 100);
        }

        Assert.Equal(4, limiter.CurrentLimit);
    }

    [Fact]
    public async Task Dropped_ManyFromOneGeneration_DecreasesOnce()
    {
        var limiter = new AdaptiveConcurrencyLimiter(1, 16, initialLimit: 16);
        var ct = TestContext.Current.CancellationToken;
        var leases = new List<ConcurrencyLease>();
        for (var i = 0; i < 16; i++)
        {
            leases.Add(await limiter.AcquireAsync(ct));
        }

        foreach (var lease in leases)
        {
            lease.Dropped();
            lease.Dispose();
        }

        Assert.Equal(12, limiter.CurrentLimit); // 16 × 0.75, once: the other 15 failures were in flight before the decrease
        using var later = await limiter.AcquireAsync(ct);
        later.Dropped();
        later.Dispose();
        Assert.Equal(9, limiter.CurrentLimit);
    }

    [Fact]
    public async Task Succeeded_MuchSlowerPerTokenThanTheBaseline_Decreases()
    {
        var limiter = new AdaptiveConcurrencyLimiter(2, 16, initialLimit: 8);
        var ct = TestContext.Current.CancellationToken;
        using (var baseline = await limiter.AcquireAsync(ct))
        {
            baseline.Succeeded(TimeSpan.FromMilliseconds(100), 100); // 1 ms per token
        }

        Assert.Equal(8, limiter.CurrentLimit);
        using (var slow = await limiter.AcquireAsync(ct))
        {
            slow.Succeeded(TimeSpan.FromMilliseconds(1_000), 100); // 10 ms per token: queueing
        }

        Assert.Equal(6, limiter.CurrentLimit);
    }

    [Fact]
    public async Task Succeeded_LongAnswerAtTheSamePerTokenSpeed_IsNotCongestion()
    {
        var limiter = new AdaptiveConcurrencyLimiter(2, 16, initialLimit: 8);
        var ct = TestContext.Current.CancellationToken;
        using (var shortAnswer = await limiter.AcquireAsync(ct))
        {
            shortAnswer.Succeeded(TimeSpan.FromMilliseconds(100), 100);
        }

        using (var longAnswer = await limiter.AcquireAsync(ct))
        {
            longAnswer.Succeeded(TimeSpan.FromMilliseconds(2_000), 2_000);
        }

        Assert.Equal(8, limiter.CurrentLimit);
    }

    [Fact]
    public async Task Dropped_Repeatedly_NeverGoesBelowTheMinimum()
    {
        var limiter = new AdaptiveConcurrencyLimiter(3, 10, initialLimit: 10);
        var ct = TestContext.Current.CancellationToken;
        for (var i = 0; i < 20; i++)
        {
            using var lease = await limiter.AcquireAsync(ct);
            lease.Dropped();
        }

        Assert.Equal(3, limiter.CurrentLimit);
    }

    [Fact]
    public async Task AcquireAsync_CancelledWhileWaiting_ThrowsAndFreesNothing()
    {
        var limiter = new AdaptiveConcurrencyLimiter(1, 1);
        using var held = await limiter.AcquireAsync(TestContext.Current.CancellationToken);
        using var cts = new CancellationTokenSource();

        var waiting = limiter.AcquireAsync(cts.Token).AsTask();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(1, limiter.InFlight);
    }

    [Fact]
    public void CreateLimiter_FromOptions_UsesTheBounds()
    {
        var limiter = new LlmOptions { MinConcurrency = 3, MaxConcurrency = 12, InitialConcurrency = 5 }.CreateLimiter();

        Assert.Equal((3, 12, 5), (limiter.MinLimit, limiter.MaxLimit, limiter.CurrentLimit));
        Assert.Equal(1, new LlmOptions { MinConcurrency = 4, MaxConcurrency = 1 }.CreateLimiter().MaxLimit);
    }

    [Fact]
    public async Task QueueSignal_NobodyWaiting_GrowsByOnePerRequestDespiteSlowerTokens()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var limiter = new AdaptiveConcurrencyLimiter(2, 256, 8, time);
        var ct = TestContext.Current.CancellationToken;
        limiter.ObserveServerQueue(0, TimeSpan.FromSeconds(3));

        // A full batch decodes each token 5x slower than one sequence alone: no congestion while nothing waits.
        var leases = new Queue<ConcurrencyLease>();
        for (var i = 0; i < 8; i++)
        {
            while (limiter.InFlight < limiter.CurrentLimit)
            {
                leases.Enqueue(await limiter.AcquireAsync(ct));
            }

            var lease = leases.Dequeue();
            lease.Succeeded(i == 0 ? s_fast : s_fast * 5, 100);
            lease.Dispose();
        }

        foreach (var lease in leases)
        {
            lease.Dispose();
        }

        Assert.Equal(16, limiter.CurrentLimit); // +1 per completion with the limit in use: a round of requests doubles it
        Assert.Equal(0, limiter.ServerWaiting);
    }

    [Fact]
    public async Task QueueSignal_RequestsWaiting_TakesHalfOfTheQueueOffPerObservationAndStopsGrowing()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var limiter = new AdaptiveConcurrencyLimiter(2, 256, 100, time);
        var ct = TestContext.Current.CancellationToken;
        var leases = new List<ConcurrencyLease>();
        for (var i = 0; i < 100; i++)
        {
            leases.Add(await limiter.AcquireAsync(ct));
        }

        limiter.ObserveServerQueue(20, TimeSpan.FromSeconds(3));
        Assert.Equal(90, limiter.CurrentLimit);
        limiter.ObserveServerQueue(7, TimeSpan.FromSeconds(3));
        Assert.Equal(87, limiter.CurrentLimit);

        leases[0].Succeeded(s_fast, 100);
        leases[0].Dispose(); // completed while the server queues: no growth
        Assert.Equal(87, limiter.CurrentLimit);
        Assert.Equal(7, limiter.ServerWaiting);
        foreach (var lease in leases.Skip(1))
        {
            lease.Dispose();
        }
    }

    [Fact]
    public async Task QueueSignal_WhenStale_HandsBackToTheLatencyRule()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var limiter = new AdaptiveConcurrencyLimiter(2, 256, 16, time);
        var ct = TestContext.Current.CancellationToken;
        using (var first = await limiter.AcquireAsync(ct))
        {
            first.Succeeded(s_fast, 100); // latency baseline
        }

        limiter.ObserveServerQueue(0, TimeSpan.FromSeconds(3));
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Null(limiter.ServerWaiting);

        var leases = new List<ConcurrencyLease>();
        for (var i = 0; i < 16; i++)
        {
            leases.Add(await limiter.AcquireAsync(ct));
        }

        leases[0].Succeeded(s_fast * 5, 100); // 5x slower per token than the baseline: congestion again
        foreach (var lease in leases)
        {
            lease.Dispose();
        }

        Assert.Equal(12, limiter.CurrentLimit);
    }

    [Fact]
    public void QueueSignal_WaitingAtTheFloor_NeverGoesBelowTheMinimum()
    {
        var limiter = new AdaptiveConcurrencyLimiter(4, 64, 6);

        limiter.ObserveServerQueue(500, TimeSpan.FromSeconds(3));

        Assert.Equal(4, limiter.CurrentLimit);
    }
}
