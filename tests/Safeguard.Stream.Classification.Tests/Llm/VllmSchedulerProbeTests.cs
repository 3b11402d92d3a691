using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Safeguard.Stream.Classification.Llm;

namespace Safeguard.Stream.Classification.Tests.Llm;

public sealed class VllmSchedulerProbeTests
{
    // The shape of vLLM's V1 /metrics exposition (prometheus_client text format), two data-parallel engines.
    private const string Exposition = """
        # HELP vllm:num_requests_running Number of requests in model execution batches.
        # TYPE vllm:num_requests_running gauge
        vllm:num_requests_running{engine="0",model_name="openai/gpt-oss-safeguard-20b"} 250.0
        vllm:num_requests_running{engine="1",model_name="openai/gpt-oss-safeguard-20b"} 256.0
        # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
        # TYPE vllm:num_requests_waiting gauge
        vllm:num_requests_waiting{engine="0",model_name="openai/gpt-oss-safeguard-20b"} 0.0
        vllm:num_requests_waiting{engine="1",model_name="openai/gpt-oss-safeguard-20b"} 12.0
        # HELP vllm:num_requests_waiting_by_reason Requests waiting, by reason.
        vllm:num_requests_waiting_by_reason{engine="0",reason="capacity"} 99.0
        """;

    [Fact]
    public void ReadGauge_SumsEveryEngineAndIgnoresSeriesSharingThePrefix()
    {
        Assert.Equal(12, VllmSchedulerProbe.ReadGauge(Exposition, VllmSchedulerProbe.WaitingGauge));
        Assert.Equal(506, VllmSchedulerProbe.ReadGauge(Exposition, "vllm:num_requests_running"));
    }

    [Theory]
    [InlineData("vllm:num_requests_waiting 3", 3)]
    [InlineData("vllm:num_requests_waiting{model_name=\"m\"} 4.0 1764300000000", 4)]
    [InlineData("# only comments\nother_metric 1", null)]
    [InlineData("vllm:num_requests_waiting{model_name=\"m\"} NaN", null)]
    [InlineData("vllm:num_requests_waiting{model_name=\"m\"} -1", null)]
    public void ReadGauge_ValueTimestampAbsenceAndNonsense(string exposition, int? expected) =>
        Assert.Equal(expected, VllmSchedulerProbe.ReadGauge(exposition, VllmSchedulerProbe.WaitingGauge));

    [Theory]
    [InlineData("http://vllm:8000/v1", "http://vllm:8000/metrics")]
    [InlineData("http://vllm:8000/v1/", "http://vllm:8000/metrics")]
    [InlineData("https://gateway.example/models/safeguard/v1", "https://gateway.example/models/safeguard/metrics")]
    [InlineData("http://vllm:8000", "http://vllm:8000/metrics")]
    public void MetricsUri_IsTheServerRootOfTheApiEndpoint(string endpoint, string expected) =>
        Assert.Equal(new Uri(expected), VllmSchedulerProbe.MetricsUri(new LlmOptions { Endpoint = new Uri(endpoint) }));

    [Fact]
    public void MetricsUri_ExplicitEndpointWins() =>
        Assert.Equal(new Uri("http://metrics:9000/metrics"),
            VllmSchedulerProbe.MetricsUri(new LlmOptions { Endpoint = new Uri("http://vllm:8000/v1"), MetricsEndpoint = new Uri("http://metrics:9000/metrics") }));

    private sealed class MetricsHandler(string exposition) : HttpMessageHandler
    {
        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        public Uri? LastUri { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            LastUri = request.RequestUri;
            Interlocked.Increment(ref _requests);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(exposition) });
        }
    }

    [Fact]
    public async Task Probe_Running_HandsTheServersQueueToTheLimiter()
    {
        // Only a run of the probe loop reads /metrics and gives the limiter a server queue; a probe that never runs fails here.
        var ct = TestContext.Current.CancellationToken;
        var handler = new MetricsHandler(Exposition);
        using var services = new ServiceCollection().AddHttpClient(VllmSchedulerProbe.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => handler).Services.BuildServiceProvider();
        var options = new LlmOptions { Endpoint = new Uri("http://vllm:8000/v1"), SchedulerProbeInterval = TimeSpan.FromMilliseconds(100) };
        var limiter = options.CreateLimiter();
        var logger = new FakeLogger<VllmSchedulerProbe>();
        using var probe = new VllmSchedulerProbe(Options.Create(options), limiter, services.GetRequiredService<IHttpClientFactory>(), logger);

        await probe.StartAsync(ct);
        while (limiter.ServerWaiting is null)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), ct);
        }

        await probe.StopAsync(ct);

        Assert.Equal(12, limiter.ServerWaiting);
        Assert.True(handler.Requests >= 1);
        Assert.Equal(new Uri("http://vllm:8000/metrics"), handler.LastUri);
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Id.Id == 3010);
    }
}
