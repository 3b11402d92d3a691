using Safeguard.Stream.Core.Prompts;
using Safeguard.Stream.Core.Verdicts;
using Safeguard.Stream.Fakes;

namespace Safeguard.Stream.IntegrationTests.Classification;

/// <summary>
/// Several policies in one request (<c>Safeguard:Llm:Bundle</c>) against the vLLM simulator: one verdict per policy,
/// each probability from its own verdict digit, and a missing verdict costing only its own policy a second request.
/// </summary>
public sealed class PolicyBundleClassificationTests
{
    private static readonly PolicyBundle s_bundle = PolicyBundle.Create(
        [SafeguardClassifierClientTests.LoadPolicy("vandalism"), SafeguardClassifierClientTests.LoadPolicy("spam")]);

    private static async Task<VllmSimulator> StartAsync(VllmFault fault = VllmFault.None) => await VllmSimulator.StartAsync(
        new VllmSimulatorOptions { Latency = TimeSpan.Zero, CaptureRequests = true, FaultMode = fault },
        ct: TestContext.Current.CancellationToken);

    [Fact]
    public async Task ClassifyBundle_SpamEdit_OneRequestOneVerdictPerPolicy()
    {
        await using var simulator = await StartAsync();
        var (client, _) = SafeguardClassifierClientTests.CreateSut(simulator);

        var verdicts = await client.ClassifyBundleAsync(s_bundle,
            SafeguardClassifierClientTests.Edit("Best cheap pills at https://cheap-pills.example.com, call now!"), TestContext.Current.CancellationToken);

        Assert.Equal(1, simulator.RequestCount);
        Assert.Equal(["spam", "vandalism"], verdicts.Select(v => v.PolicyId));
        Assert.All(verdicts, v => Assert.Equal(VerdictStatus.Ok, v.Status));
        var spam = verdicts.Single(v => v.PolicyId == "spam");
        var vandalism = verdicts.Single(v => v.PolicyId == "vandalism");
        Assert.True(spam.Violation);
        Assert.True(spam.Flagged);
        Assert.False(vandalism.Violation);
        // Each probability is read from that policy's own digit: the two verdicts differ, so must the probabilities.
        Assert.NotNull(spam.Probability);
        Assert.NotNull(vandalism.Probability);
        Assert.True(spam.Probability > 0.5 && vandalism.Probability < 0.5, $"spam {spam.Probability}, vandalism {vandalism.Probability}");
        // The bundle's usage is shared out, so the sums are the one request's.
        var prompt = SafeguardClassifierClientTests.Messages(simulator.CapturedRequests.Single());
        Assert.Contains("# Policy spam", prompt[0].GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.True(verdicts.Sum(v => v.PromptTokens) > 0);
    }

    [Fact]
    public async Task ClassifyBundle_AnswerWithoutAPolicysVerdict_ClassifiesThatPolicyAlone()
    {
        await using var simulator = await StartAsync(VllmFault.BundleMissingVerdict);
        var (client, log) = SafeguardClassifierClientTests.CreateSut(simulator);

        var verdicts = await client.ClassifyBundleAsync(s_bundle, SafeguardClassifierClientTests.Edit("poop poop poop"), TestContext.Current.CancellationToken);

        // The bundle answered spam only (vandalism, the last in order, was left out): vandalism was asked again alone.
        Assert.Equal(2, simulator.RequestCount);
        Assert.Equal(["spam", "vandalism"], verdicts.Select(v => v.PolicyId));
        Assert.All(verdicts, v => Assert.Equal(VerdictStatus.Ok, v.Status));
        Assert.True(verdicts.Single(v => v.PolicyId == "vandalism").Violation);
        Assert.Contains(log.Messages, m => m.Contains("no verdict for policy 'vandalism'", StringComparison.Ordinal));
        Assert.DoesNotContain("# Policy", SafeguardClassifierClientTests.Messages(simulator.CapturedRequests[1])[0].GetProperty("content").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClassifyBundle_UnusableAnswers_EveryPolicyOnItsOwn()
    {
        await using var simulator = await StartAsync(VllmFault.MalformedContent);
        var (client, _) = SafeguardClassifierClientTests.CreateSut(simulator, o => o.MaxAttempts = 2);

        var verdicts = await client.ClassifyBundleAsync(s_bundle, SafeguardClassifierClientTests.Edit("plain prose"), TestContext.Current.CancellationToken);

        // 2 bundled attempts, then each policy alone (whose own attempts fail the same way): errors for each, none lost.
        Assert.Equal(["spam", "vandalism"], verdicts.Select(v => v.PolicyId));
        Assert.All(verdicts, v => Assert.Equal(VerdictStatus.Error, v.Status));
        Assert.Equal(2 + 2 + 2, simulator.RequestCount);
    }
}
