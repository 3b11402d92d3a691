using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Safeguard.Stream.Classification.Llm;

namespace Safeguard.Stream.Classification.Tests.Llm;

public sealed class SafeguardClassifierClientTests
{
    private static readonly DateTimeOffset s_now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("7", 7_000)]
    [InlineData("0.5", 500)]
    [InlineData("Thu, 01 Jan 2026 12:00:30 GMT", 30_000)]
    [InlineData("Thu, 01 Jan 2026 11:00:00 GMT", 0)]
    [InlineData("3600", 60_000)]
    public void ParseRetryAfter_SecondsOrDate_IsCapped(string header, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), SafeguardClassifierClient.ParseRetryAfter(header, s_now, TimeSpan.FromSeconds(60)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("soon")]
    public void ParseRetryAfter_Unreadable_IsNull(string? header)
    {
        Assert.Null(SafeguardClassifierClient.ParseRetryAfter(header, s_now, TimeSpan.FromSeconds(60)));
    }

    /// <summary>
    /// The transport pipeline as <c>AddSafeguardClassifierClient</c> registers it by key, run on its own (no answer
    /// attempts, so no shared budget in the context): a transient failure is tried 1 + MaxRetries times, each retry
    /// logged; anything else is tried once.
    /// </summary>
    [Theory]
    [InlineData(0, true, 1)]
    [InlineData(3, true, 4)]
    [InlineData(3, false, 1)]
    public async Task TransportPipeline_RegisteredByKey_RetriesOnlyATransientFailureMaxRetriesTimes(int maxRetries, bool transient, int expectedCalls)
    {
        var (services, pipeline) = CreateTransport(maxRetries);
        using var _ = services;
        Exception fault = transient ? new HttpRequestException("connection refused") : new InvalidOperationException("not a transport failure");
        var calls = 0;

        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => pipeline.ExecuteAsync<string>(
            _ =>
            {
                calls++;
                throw fault;
            }, TestContext.Current.CancellationToken).AsTask());

        Assert.Same(fault, thrown);
        Assert.Equal(expectedCalls, calls);
        Assert.Equal(expectedCalls - 1, services.GetFakeLogCollector().GetSnapshot().Count(r => r.Id.Name == "RetryingRequest"));
    }

    private static (ServiceProvider Services, ResiliencePipeline Pipeline) CreateTransport(int maxRetries)
    {
        var options = new LlmOptions { Endpoint = new Uri("http://127.0.0.1:9/v1"), MaxRetries = maxRetries, RetryBaseDelay = TimeSpan.FromMilliseconds(1) };
        var services = new ServiceCollection()
            .AddLogging(logging => logging.AddFakeLogging())
            .AddSingleton(Options.Create(options))
            .AddSingleton(options.CreateLimiter())
            .AddSafeguardClassifierClient()
            .BuildServiceProvider();
        return (services, services.GetRequiredKeyedService<ResiliencePipeline>(ClassificationHostingExtensions.ClassificationTransportPipelineKey));
    }
}
