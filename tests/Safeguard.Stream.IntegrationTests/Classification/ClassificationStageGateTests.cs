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
using Safeguard.Stream.Fakes;
using Safeguard.Stream.IntegrationTests.Infrastructure;

namespace Safeguard.Stream.IntegrationTests.Classification;

/// <summary>
/// The classification stage as the host registers it, against the vLLM simulator, with a revert-risk gate on spam
/// (<c>gate: revertrisk &lt; 0.1</c>): a score below it skips spam (counted with its reason, no request), a score at or
/// above it or no score at all (the gate failed open) sends spam to the model, and the score goes with the verdicts.
/// </summary>
public sealed class ClassificationStageGateTests
{
    private static readonly Policy s_gatedSpam = SafeguardClassifierClientTests.LoadPolicy("spam") with { Gate = new RevertRiskGate(0.1) };
    private static readonly Policy s_vandalism = SafeguardClassifierClientTests.LoadPolicy("vandalism");
    private static readonly DiffText s_spammy = new(["Buy cheap pills at https://cheap-pills.example.com now!"], [], []);

    private static RevertRiskScore Score(double p) => new(p, "revertrisk-language-agnostic", "3");

    private static async Task<(IHost Host, ClassificationStage Stage, VllmSimulator Simulator, MetricCollector<long> Skips)> StartAsync(bool preScreen = true)
    {
        var simulator = await VllmSimulator.StartAsync(new VllmSimulatorOptions { Latency = TimeSpan.Zero }, ct: TestContext.Current.CancellationToken);
        var builder = Host.CreateEmptyApplicationBuilder(null);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Safeguard:Llm:Endpoint"] = simulator.BaseUrl.ToString(),
            ["Safeguard:Llm:PreScreen"] = preScreen.ToString(),
            ["Safeguard:Policies:Directory"] = LocalServicesFixture.PoliciesPath,
        });
        builder.AddSafeguardCore();
        builder.AddSafeguardClassification();
        builder.AddSafeguardClassificationStage();
        var host = builder.Build();
        var skips = new MetricCollector<long>(host.Services.GetRequiredService<SafeguardTelemetry>().PreScreened);
        return (host, host.Services.GetRequiredService<ClassificationStage>(), simulator, skips);
    }

    private static EnrichedEdit Edit(RevertRiskScore? score, params Policy[] policies) => new(
        new EventContext(1, "test", "1", ReadOnlyMemory<byte>.Empty),
        SafeguardClassifierClientTests.Edit("unused").Edit,
        policies,
        s_spammy)
    {
        RevertRisk = score,
    };

    private static long Gated(MetricCollector<long> skips) =>
        skips.GetMeasurementSnapshot().Where(m => Equals(m.Tags[SafeguardTelemetry.Tags.Reason], SkipReason.RevertRiskBelowGate)).Sum(m => m.Value);

    [Fact]
    public async Task ClassifyEdit_ScoreBelowGate_SkipsTheGatedPolicyCountedAndJudgesTheRest()
    {
        var (host, stage, simulator, skips) = await StartAsync();
        using var _ = host;
        await using var __ = simulator;

        var result = await stage.ClassifyEditAsync(Edit(Score(0.03), s_gatedSpam, s_vandalism), TestContext.Current.CancellationToken);

        var classified = Assert.IsType<ClassifiedResult>(result);
        Assert.Equal(["vandalism"], classified.Verdicts.Select(v => v.PolicyId));
        Assert.Equal(Score(0.03), classified.RevertRisk);
        Assert.Equal(1, simulator.RequestCount);
        Assert.Equal(1, Gated(skips));
        Assert.Equal("spam", skips.GetMeasurementSnapshot().Single().Tags[SafeguardTelemetry.Tags.Policy]);
    }

    [Fact]
    public async Task ClassifyEdit_EveryPolicyBelowItsGate_IsASkipWithTheGatesReasonAndNoRequest()
    {
        var (host, stage, simulator, skips) = await StartAsync();
        using var _ = host;
        await using var __ = simulator;

        var result = await stage.ClassifyEditAsync(Edit(Score(0.0999), s_gatedSpam), TestContext.Current.CancellationToken);

        Assert.Equal(SkipReason.RevertRiskBelowGate, Assert.IsType<SkippedResult>(result).Reason);
        Assert.Equal(0, simulator.RequestCount);
        Assert.Equal(1, Gated(skips));
    }

    [Fact]
    public async Task ClassifyEdit_ScoreAtTheGate_GoesToTheModelWithTheScore()
    {
        var (host, stage, simulator, skips) = await StartAsync();
        using var _ = host;
        await using var __ = simulator;

        var result = await stage.ClassifyEditAsync(Edit(Score(0.1), s_gatedSpam, s_vandalism), TestContext.Current.CancellationToken);

        var classified = Assert.IsType<ClassifiedResult>(result);
        Assert.Equal(["spam", "vandalism"], classified.Verdicts.Select(v => v.PolicyId));
        Assert.True(classified.Verdicts[0].Flagged);
        Assert.Equal(Score(0.1), classified.RevertRisk);
        Assert.Equal(2, simulator.RequestCount);
        Assert.Equal(0, Gated(skips));
    }

    [Fact]
    public async Task ClassifyEdit_NoScore_TheGateFailsOpenAndTheEditGoesToTheModel()
    {
        var (host, stage, simulator, skips) = await StartAsync();
        using var _ = host;
        await using var __ = simulator;

        var result = await stage.ClassifyEditAsync(Edit(null, s_gatedSpam), TestContext.Current.CancellationToken);

        var classified = Assert.IsType<ClassifiedResult>(result);
        Assert.Equal(["spam"], classified.Verdicts.Select(v => v.PolicyId));
        Assert.Null(classified.RevertRisk);
        Assert.Equal(1, simulator.RequestCount);
        Assert.Equal(0, Gated(skips));
    }

    [Fact]
    public async Task ClassifyEdit_PreScreenOff_StillAppliesTheGate()
    {
        var (host, stage, simulator, skips) = await StartAsync(preScreen: false);
        using var _ = host;
        await using var __ = simulator;

        var result = await stage.ClassifyEditAsync(Edit(Score(0.01), s_gatedSpam, s_vandalism), TestContext.Current.CancellationToken);

        Assert.Equal(["vandalism"], Assert.IsType<ClassifiedResult>(result).Verdicts.Select(v => v.PolicyId));
        Assert.Equal(1, Gated(skips));
    }
}
