namespace Safeguard.Stream.Deployment.Tests;

/// <summary>helm lint --strict over every values scenario, as `make lint` runs it (scripts/helm.sh check).</summary>
public sealed class ChartLintTests
{
    [Theory]
    [MemberData(nameof(AllScenarios))]
    public async Task Lint_Scenario_PassesStrict(string scenario)
    {
        var result = await HelmChart.RunAsync(["lint", "--strict", HelmChart.ChartDirectory, "-f", HelmChart.ScenarioFile(scenario)], TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0, $"helm lint --strict with {scenario}: {result.Stdout}{result.Stderr}");
        Assert.Contains("0 chart(s) failed", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Helm_Version_IsFour()
    {
        var result = await HelmChart.RunAsync(["version", "--template", "{{.Version}}"], TestContext.Current.CancellationToken);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("v4.", result.Stdout, StringComparison.Ordinal);
    }

    public static TheoryData<string> AllScenarios() => [.. HelmChart.Scenarios];
}
