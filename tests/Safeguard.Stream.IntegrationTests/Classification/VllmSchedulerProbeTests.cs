using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Safeguard.Stream.Classification.Llm;
using Safeguard.Stream.Classification.Policies;
using Safeguard.Stream.Fakes;
using Safeguard.Stream.IntegrationTests.Infrastructure;

namespace Safeguard.Stream.IntegrationTests.Classification;

/// <summary>
/// The limiter sized by the server's queue: the probe reads the simulator's <c>/metrics</c> (vLLM's gauge names)
/// while far more requests are offered than the simulated engine's batch holds.
/// </summary>
public sealed class VllmSchedulerProbeTests
{
    private const int MaxNumSeqs = 8;

    [Fact]
    public async Task Probe_OverloadedEngine_LimitSettlesAtTheBatchSizeWithTheBatchFull()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var engine = new ContinuousBatchingModel(new ContinuousBatchingOptions
        {
            MaxNumSeqs = MaxNumSeqs,
            DecodeStepTime = TimeSpan.FromMilliseconds(1),
            MaxBatchedTokens = 8_192,
        });
        await using var simulator = await VllmSimulator.StartAsync(new VllmSimulatorOptions { LatencyModel = engine }, ct: ct);
        var options = new LlmOptions
        {
            Endpoint = simulator.BaseUrl,
            MinConcurrency = 1,
            MaxConcurrency = 64,
            InitialConcurrency = 2,
            SchedulerProbeInterval = TimeSpan.FromMilliseconds(100),
        };
        var limiter = options.CreateLimiter();
        using var services = new ServiceCollection().AddHttpClient().BuildServiceProvider();
        using var probe = new VllmSchedulerProbe(Options.Create(options), limiter, services.GetRequiredService<IHttpClientFactory>(), NullLogger<VllmSchedulerProbe>.Instance);
        var client = ClassifierClients.Create(options, limiter: limiter);
        var file = Path.Combine(LocalServicesFixture.PoliciesPath, "spam.md");
        var policy = PolicyDocument.Parse(file, await File.ReadAllTextAsync(file, ct)).Policy!;
        await probe.StartAsync(ct);

        // 32 callers keep asking: with latency as the only signal nothing would stop the limit short of 64.
        var limits = new List<int>();
        var next = 0;
        var callers = Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) <= 240)
            {
                await client.ClassifyAsync(policy, Edit(n), ct);
                if (n > 120)
                {
                    lock (limits)
                    {
                        limits.Add(limiter.CurrentLimit);
                    }
                }
            }
        }, ct));
        await Task.WhenAll(callers);
        await probe.StopAsync(ct);

        var stats = engine.Snapshot();
        TestContext.Current.TestOutputHelper?.WriteLine($"limit max {limits.Max()} mean {limits.Average():F1}; server max batch {stats.MaxBatchSeen}, max queue {stats.MaxQueueSeen}");
        Assert.Equal(MaxNumSeqs, stats.MaxBatchSeen); // it found the server's batch size and filled it
        Assert.NotNull(limiter.ServerWaiting);
        // In the second half the limit stays around the batch (a few requests queued at the server at times), far
        // from the 64 allowed. Loose bounds: the probe's reads may come late on a loaded machine.
        Assert.True(limits.Max() <= 6 * MaxNumSeqs, $"limit reached {limits.Max()} (batch {MaxNumSeqs}); server max queue {stats.MaxQueueSeen}");
        Assert.InRange(limits.Average(), MaxNumSeqs * 0.75, MaxNumSeqs * 3.0);
    }

    [Theory]
    [InlineData("/no-such-metrics")] // the simulator answers 404, as a gateway in front of vLLM would
    [InlineData(null)] // a closed port: connection refused
    public async Task Probe_MetricsUnreadable_LeavesTheLimiterOnTheLatencyRule(string? path)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var simulator = await VllmSimulator.StartAsync(new VllmSimulatorOptions(), ct: ct);
        int closedPort;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            closedPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }

        var options = new LlmOptions
        {
            Endpoint = simulator.BaseUrl,
            MetricsEndpoint = path is null ? new Uri($"http://127.0.0.1:{closedPort}/metrics") : new Uri(simulator.BaseUrl, path),
            SchedulerProbeInterval = TimeSpan.FromMilliseconds(100),
        };
        var limiter = options.CreateLimiter();
        using var services = new ServiceCollection().AddHttpClient().BuildServiceProvider();
        var logger = new FakeLogger<VllmSchedulerProbe>();
        using var probe = new VllmSchedulerProbe(Options.Create(options), limiter, services.GetRequiredService<IHttpClientFactory>(), logger);

        await probe.StartAsync(ct);
        // Regression: this test passed with a probe loop that never ran. Only a read of the endpoint logs it unreadable.
        FakeLogRecord? unreadable;
        while ((unreadable = logger.Collector.GetSnapshot().FirstOrDefault(r => r.Id.Id == 3011)) is null)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
        }

        await probe.StopAsync(ct);

        Assert.Equal(path is null ? nameof(HttpRequestException) : "HTTP 404", unreadable.GetStructuredStateValue("Problem"));
        Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 3011); // logged once per change, not per try
        Assert.Null(limiter.ServerWaiting); // no reading: the limit keeps following latency
        Assert.False(probe.ExecuteTask?.IsFaulted ?? false, "the probe failed instead of retrying later");
    }

    private static ClassificationRequest Edit(long revId) =>
        SafeguardClassifierClientTests.Edit($"The bridge opened in {1900 + (revId % 100)}.", revId, comment: "copyedit", title: "Example page " + revId);
}
