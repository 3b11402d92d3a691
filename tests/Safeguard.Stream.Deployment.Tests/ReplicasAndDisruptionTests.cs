namespace Safeguard.Stream.Deployment.Tests;

/// <summary>More than one worker only with the Kafka source; a PodDisruptionBudget for the worker pods.</summary>
public sealed class ReplicasAndDisruptionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("config.Source.Kind=EventStreams")]
    [InlineData("config.Source.Kind=File")]
    public async Task Template_MoreThanOneReplicaWithoutKafkaSource_Refused(string kind)
    {
        var error = await HelmChart.TemplateErrorAsync("eventstreams", Ct, "replicaCount=2", kind);

        Assert.Contains("replicaCount is 2", error, StringComparison.Ordinal);
        Assert.Contains("only the Kafka source can run more than one replica", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Template_KafkaSourceWithThreeReplicas_Rendered()
    {
        var manifests = await HelmChart.TemplateAsync("kafka", Ct);

        Assert.Equal("3", manifests.Worker.Root.Text("spec", "replicas"));
        Assert.Equal("Kafka", manifests.Settings["Safeguard__Source__Kind"]);
    }

    [Fact]
    public async Task Template_OneReplicaWithEventStreams_Rendered()
    {
        var manifests = await HelmChart.TemplateAsync("eventstreams", Ct, "replicaCount=1");

        Assert.Equal("1", manifests.Worker.Root.Text("spec", "replicas"));
    }

    [Fact]
    public async Task Template_UnknownSourceKind_Refused()
    {
        var error = await HelmChart.TemplateErrorAsync("eventstreams", Ct, "config.Source.Kind=Kinesis");

        Assert.Contains("config.Source.Kind must be EventStreams, Kafka or File", error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllScenarios))]
    public async Task Template_Pdb_SelectsWorkerPodsAllowingOneDisruption(string scenario)
    {
        var manifests = await HelmChart.TemplateAsync(scenario, Ct);
        var pdb = manifests.Single("PodDisruptionBudget", HelmChart.FullName);
        var podLabels = manifests.Worker.Root.StringMap("spec", "template", "metadata", "labels");

        Assert.Equal("policy/v1", pdb.Root.Text("apiVersion"));
        Assert.Equal("1", pdb.Root.Text("spec", "maxUnavailable"));
        Assert.Null(pdb.Root.At("spec", "minAvailable"));
        var selector = pdb.Root.StringMap("spec", "selector", "matchLabels");
        Assert.Equal(manifests.Worker.Root.StringMap("spec", "selector", "matchLabels"), selector);
        Assert.All(selector, l => Assert.Equal(l.Value, podLabels[l.Key]));
    }

    [Fact]
    public async Task Template_PdbMinAvailable_ReplacesMaxUnavailable()
    {
        var manifests = await HelmChart.TemplateAsync("kafka", Ct, "pdb.minAvailable=2");
        var pdb = manifests.Single("PodDisruptionBudget", HelmChart.FullName);

        Assert.Equal("2", pdb.Root.Text("spec", "minAvailable"));
        Assert.Null(pdb.Root.At("spec", "maxUnavailable"));
    }

    public static TheoryData<string> AllScenarios() => [.. HelmChart.Scenarios];
}
