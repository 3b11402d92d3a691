using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Polly;
using Safeguard.Stream.Classification.Llm;
using Safeguard.Stream.Fakes;

namespace Safeguard.Stream.Classification.Tests;

/// <summary>
/// The classification stage's outage retry as <c>AddSafeguardClassificationStage</c> registers it, on a
/// <see cref="BackoffClock"/> that moves only by each backoff: what it holds, what it lets through, what it logs.
/// </summary>
public sealed class ClassificationStageTests
{
    private sealed record Sut(IHost Host, ResiliencePipeline OutageRetry, BackoffClock Clock, FakeLogCollector Logs);

    private static Sut CreateSut()
    {
        var clock = new BackoffClock();
        var builder = Host.CreateEmptyApplicationBuilder(null);
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Logging.AddFakeLogging();
        builder.AddSafeguardClassificationStage();
        var host = builder.Build();
        return new Sut(
            host,
            host.Services.GetRequiredKeyedService<ResiliencePipeline>(ClassificationHostingExtensions.ClassificationOutagePipelineKey),
            clock,
            host.Services.GetFakeLogCollector());
    }

    /// <summary>Runs a call through the outage retry that fails its first <paramref name="failures"/> tries with <paramref name="fault"/>.</summary>
    private static async Task<(string Result, int Calls)> RunAsync(Sut sut, int failures, Func<Exception> fault)
    {
        var calls = 0;
        var run = sut.OutageRetry.ExecuteAsync<string>(
            _ => ++calls <= failures ? throw fault() : ValueTask.FromResult("verdict"), TestContext.Current.CancellationToken).AsTask();
        await sut.Clock.DriveAsync(run, TestContext.Current.CancellationToken);
        return (await run, calls);
    }

    [Fact]
    public async Task OutageRetry_ModelUnavailable_HoldsPastAnyAttemptLimitDoublingFromOneSecondTo30()
    {
        var sut = CreateSut();
        using var host = sut.Host;

        var (result, calls) = await RunAsync(sut, 10, () => new LlmUnavailableException("model server unavailable: HTTP 503"));

        Assert.Equal("verdict", result);
        Assert.Equal(11, calls);
        var expected = new[] { 1, 2, 4, 8, 16, 30, 30, 30, 30, 30 }.Select(s => TimeSpan.FromSeconds(s)).ToList();
        Assert.Equal(expected, sut.Clock.Waited);
        var logged = sut.Logs.GetSnapshot().Where(r => r.Id.Id == 3101).ToList();
        Assert.Equal(expected, logged.Select(r => TimeSpan.Parse(r.GetStructuredStateValue("Backoff")!, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(logged, r => Assert.Equal(LogLevel.Error, r.Level));
        Assert.All(logged, r => Assert.Equal("model server unavailable: HTTP 503", r.GetStructuredStateValue("Problem")));
    }

    [Fact]
    public async Task OutageRetry_ModelMisconfigured_HoldsWithoutLoggingEachTry()
    {
        var sut = CreateSut();
        using var host = sut.Host;

        var (result, calls) = await RunAsync(sut, 3, () => new LlmMisconfiguredException(new LlmServerProblem("Safeguard:Llm:Model", "unknown model"), new InvalidOperationException("404")));

        Assert.Equal("verdict", result);
        Assert.Equal(4, calls);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)], sut.Clock.Waited);
        Assert.DoesNotContain(sut.Logs.GetSnapshot(), r => r.Id.Id == 3101); // LlmServerStatus logs a misconfiguration once
    }

    [Theory]
    [InlineData(typeof(LlmRejectedException))]
    [InlineData(typeof(InvalidOperationException))]
    public async Task OutageRetry_AnythingButAnOutage_IsNotRetried(Type type)
    {
        var sut = CreateSut();
        using var host = sut.Host;

        var error = await Assert.ThrowsAnyAsync<Exception>(() => RunAsync(sut, 1, () => (Exception)Activator.CreateInstance(type, "rejected")!));

        Assert.IsType(type, error);
        Assert.Empty(sut.Clock.Waited);
    }
}
