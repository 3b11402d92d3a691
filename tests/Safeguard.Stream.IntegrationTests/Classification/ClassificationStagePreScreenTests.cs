using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Safeguard.Stream.Classification;
using Safeguard.Stream.Core.Diffs;
using Safeguard.Stream.Core.Pipeline;
using Safeguard.Stream.Core.Policies;
using Safeguard.Stream.Core.Routing;
using Safeguard.Stream.Core.Telemetry;
using Safeguard.Stream.Core.Verdicts;
using Safeguard.Stream.Fakes;
using Safeguard.Stream.IntegrationTests.Infrastructure;

namespace Safeguard.Stream.IntegrationTests.Classification;

/// <summary>
/// The classification stage as the host registers it, against the vLLM simulator: the pre-screen's skips (counted,
/// never a verdict) and policy bundles (one request for the public policies, restricted ones alone).
/// </summary>
public sealed class ClassificationStagePreScreenTests
{
    private static readonly IReadOnlyList<Policy> s_policies = new[] { "spam", "vandalism", "private-information" }
        .Select(id => SafeguardClassifierClientTests.LoadPolicy(id))
        .ToList();

    private static async Task<(IHost Host, ClassificationStage Stage, VllmSimulator Simulator)> StartAsync(bool bundle, bool preScreen = true)
    {
        var simulator = await VllmSimulator.StartAsync(new VllmSimulatorOptions { Latency = TimeSpan.Zero, CaptureRequests = true }, ct: TestContext.Current.CancellationToken);
        var builder = Host.CreateEmptyApplicationBuilder(null);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Safeguard:Llm:Endpoint"] = simulator.BaseUrl.ToString(),
            ["Safeguard:Llm:Bundle"] = bundle.ToString(),
            ["Safeguard:Llm:PreScreen"] = preScreen.ToString(),
            ["Safeguard:Policies:Directory"] = LocalServicesFixture.PoliciesPath,
        });
        builder.AddSafeguardCore();
        builder.AddSafeguardClassification();
        builder.AddSafeguardClassificationStage();
        var host = builder.Build();
        return (host, host.Services.GetRequiredService<ClassificationStage>(), simulator);
    }

    private static EnrichedEdit Edit(DiffText diff, IReadOnlyList<Policy>? policies = null) => new(
        new EventContext(1, "test", "1", ReadOnlyMemory<byte>.Empty),
        SafeguardClassifierClientTests.Edit("unused").Edit,
        policies ?? s_policies,
        diff);

    [Fact]
    public async Task ClassifyEdit_FormattingOnly_IsASkipWithNoRequest()
    {
        var (host, stage, simulator) = await StartAsync(bundle: false);
        using var _ = host;
        await using var __ = simulator;
        using var skips = new MetricCollector<long>(host.Services.GetRequiredService<SafeguardTelemetry>().PreScreened);

        var result = await stage.ClassifyEditAsync(Edit(new DiffText(["The '''quick''' fox."], ["The quick fox"], [])), TestContext.Current.CancellationToken);

        var skipped = Assert.IsType<SkippedResult>(result);
        Assert.Equal(SkipReason.FormattingOnly, skipped.Reason);
        Assert.Equal(0, simulator.RequestCount);
        Assert.Equal(3, skips.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task ClassifyEdit_BlankingWithoutBundles_SkipsSpamOnlyAndClassifiesTheRest()
    {
        var (host, stage, simulator) = await StartAsync(bundle: false);
        using var _ = host;
        await using var __ = simulator;

        var result = await stage.ClassifyEditAsync(Edit(new DiffText([], ["A whole sourced paragraph about the town's history."], [])), TestContext.Current.CancellationToken);

        var classified = Assert.IsType<ClassifiedResult>(result);
        Assert.Equal(["vandalism", "private-information"], classified.Verdicts.Select(v => v.PolicyId));
        Assert.Equal(2, simulator.RequestCount);
    }

    [Fact]
    public async Task ClassifyEdit_Bundle_PublicPoliciesInOneRequestRestrictedAlone()
    {
        var (host, stage, simulator) = await StartAsync(bundle: true);
        using var _ = host;
        await using var __ = simulator;

        var result = await stage.ClassifyEditAsync(
            Edit(new DiffText(["Buy cheap pills at https://cheap-pills.example.com now!"], [], [])), TestContext.Current.CancellationToken);

        var classified = Assert.IsType<ClassifiedResult>(result);
        Assert.Equal(["spam", "vandalism", "private-information"], classified.Verdicts.Select(v => v.PolicyId));
        Assert.All(classified.Verdicts, v => Assert.Equal(VerdictStatus.Ok, v.Status));
        Assert.True(classified.Verdicts.Single(v => v.PolicyId == "spam").Flagged);
        var instructions = simulator.CapturedRequests.Select(r => SafeguardClassifierClientTests.Messages(r)[0].GetProperty("content").GetString()!).ToList();
        Assert.Equal(2, instructions.Count);
        Assert.Single(instructions, i => i.Contains("# Policy spam", StringComparison.Ordinal) && i.Contains("# Policy vandalism", StringComparison.Ordinal));
        Assert.Single(instructions, i => !i.Contains("# Policy ", StringComparison.Ordinal));
        Assert.DoesNotContain(instructions, i => i.Contains("# Policy private-information", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ClassifyEdit_PreScreenOff_SendsEveryPolicy()
    {
        var (host, stage, simulator) = await StartAsync(bundle: false, preScreen: false);
        using var _ = host;
        await using var __ = simulator;

        var result = await stage.ClassifyEditAsync(Edit(new DiffText(["The '''quick''' fox."], ["The quick fox"], [])), TestContext.Current.CancellationToken);

        Assert.Equal(3, Assert.IsType<ClassifiedResult>(result).Verdicts.Count);
        Assert.Equal(3, simulator.RequestCount);
    }
}
