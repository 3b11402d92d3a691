using YamlDotNet.RepresentationModel;

namespace Safeguard.Stream.Deployment.Tests;

/// <summary>What the worker may reach, and who may reach the worker and the model server.</summary>
public sealed class NetworkPolicyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Manifest WorkerPolicy(Manifests manifests) => manifests.Single("NetworkPolicy", HelmChart.FullName + "-worker");

    private static IEnumerable<(string Port, string Protocol)> Ports(YamlNode rule) =>
        rule.Items("ports").Select(p => (p.Text("port"), p.TextOrNull("protocol") ?? "TCP"));

    [Theory]
    [MemberData(nameof(AllScenarios))]
    public async Task Template_WorkerPolicy_SelectsWorkerPodsAndRestrictsBothDirections(string scenario)
    {
        var manifests = await HelmChart.TemplateAsync(scenario, Ct);
        var policy = WorkerPolicy(manifests);
        var podLabels = manifests.Worker.Root.StringMap("spec", "template", "metadata", "labels");

        Assert.Equal(["Ingress", "Egress"], policy.Root.Items("spec", "policyTypes").Select(n => n.Text()));
        Assert.All(policy.Root.StringMap("spec", "podSelector", "matchLabels"), l => Assert.Equal(l.Value, podLabels[l.Key]));
        // Every rule names its ports: no rule opens everything.
        Assert.All(policy.Root.Items("spec", "egress"), rule => Assert.NotEmpty(rule.Items("ports")));
        var ingress = Assert.Single(policy.Root.Items("spec", "ingress"));
        Assert.Equal([(manifests.Settings["Safeguard__Telemetry__HealthPort"], "TCP")], Ports(ingress));
    }

    [Fact]
    public async Task Template_WorkerEgress_DnsKafkaPostgresLlmAndHttpsOutsideTheCluster()
    {
        var manifests = await HelmChart.TemplateAsync("eventstreams", Ct);
        var egress = WorkerPolicy(manifests).Root.Items("spec", "egress");

        var ports = egress.SelectMany(Ports).ToHashSet();
        Assert.Equal(new HashSet<(string, string)> { ("53", "UDP"), ("53", "TCP"), ("9093", "TCP"), ("5432", "TCP"), ("443", "TCP") }, ports);
        var dns = egress.Single(r => Ports(r).Contains(("53", "UDP")));
        Assert.Equal("kube-dns", dns.Items("to").Single().Text("podSelector", "matchLabels", "k8s-app"));
        // Wikis and EventStreams: HTTPS to anything but the cluster's own ranges.
        var https = egress.Single(r => r.Items("to").Any(t => t.At("ipBlock") is not null));
        Assert.Equal([("443", "TCP")], Ports(https));
        var ipBlock = https.Items("to").Single().At("ipBlock");
        Assert.Equal("0.0.0.0/0", ipBlock.Text("cidr"));
        Assert.Equal(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"], ipBlock.Items("except").Select(n => n.Text()));
    }

    [Fact]
    public async Task Template_KafkaSourceWithProxy_SourceBrokersOpenAndHttpsOnlyThroughTheProxy()
    {
        var manifests = await HelmChart.TemplateAsync("kafka", Ct);
        var egress = WorkerPolicy(manifests).Root.Items("spec", "egress");
        var worker = manifests.Worker["spec", "template", "spec"].Items("containers").Single();

        var ports = egress.SelectMany(Ports).ToHashSet();
        Assert.Contains(("9093", "TCP"), ports);
        Assert.Contains(("9094", "TCP"), ports);
        Assert.Contains(("8080", "TCP"), ports);
        Assert.Contains(("8000", "TCP"), ports);
        Assert.DoesNotContain(("443", "TCP"), ports);
        Assert.DoesNotContain(egress, r => r.Items("to").Any(t => t.At("ipBlock") is not null));
        Assert.Equal("http://webproxy.example.org:8080", worker.Env("HTTPS_PROXY").Text("value"));
        Assert.Contains(".svc", worker.Env("NO_PROXY").Text("value"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Template_MetricsFrom_LimitsIngressToThosePeers()
    {
        var manifests = await HelmChart.TemplateAsync("eventstreams", Ct,
            "networkPolicy.metricsFrom[0].namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name=monitoring");

        var ingress = WorkerPolicy(manifests).Root.Items("spec", "ingress").Single();

        Assert.Equal("monitoring", ingress.Items("from").Single().Text("namespaceSelector", "matchLabels", "kubernetes.io/metadata.name"));
    }

    [Theory]
    [InlineData("vllm")]
    [InlineData("kserve")]
    public async Task Template_VllmEnabled_ModelServerAdmitsOnlyWorkerPodsAndWorkerReachesIt(string scenario)
    {
        var manifests = await HelmChart.TemplateAsync(scenario, Ct);
        var vllmPolicy = manifests.Single("NetworkPolicy", HelmChart.FullName + "-vllm");
        var workerLabels = manifests.Worker.Root.StringMap("spec", "template", "metadata", "labels");
        var serverPodLabels = ServerPodLabels(manifests, scenario);

        // The policy selects the model server's pods ...
        var selector = vllmPolicy.Root.StringMap("spec", "podSelector", "matchLabels");
        Assert.NotEmpty(selector);
        Assert.All(selector, l => Assert.Equal(l.Value, serverPodLabels[l.Key]));
        // ... and admits exactly one peer, the worker pods, on the vLLM port.
        var ingress = vllmPolicy.Root.Items("spec", "ingress").Single();
        var from = ingress.Items("from").Single();
        Assert.Null(from.At("namespaceSelector"));
        Assert.Null(from.At("ipBlock"));
        var peer = from.StringMap("podSelector", "matchLabels");
        Assert.Equal("worker", peer["app.kubernetes.io/component"]);
        Assert.All(peer, l => Assert.Equal(l.Value, workerLabels[l.Key]));
        Assert.Equal([("8000", "TCP")], Ports(ingress));
        Assert.Equal(["Ingress", "Egress"], vllmPolicy.Root.Items("spec", "policyTypes").Select(n => n.Text()));

        // The worker's egress to the model targets those pods on the pod port.
        var toServer = WorkerPolicy(manifests).Root.Items("spec", "egress")
            .Single(r => r.Items("to").Any(t => t.StringMap("podSelector", "matchLabels").SequenceEqual(selector)));
        Assert.Equal([("8000", "TCP")], Ports(toServer));
    }

    [Fact]
    public async Task Template_NetworkPolicyDisabled_NoneRendered()
    {
        var manifests = await HelmChart.TemplateAsync("vllm", Ct, "networkPolicy.enabled=false");

        Assert.Empty(manifests.OfKind("NetworkPolicy"));
    }

    /// <summary>Labels the model server's pods will carry: the Deployment's template, or what KServe adds.</summary>
    private static Dictionary<string, string> ServerPodLabels(Manifests manifests, string scenario)
    {
        if (scenario == "kserve")
        {
            var isvc = manifests.Single("InferenceService", HelmChart.FullName + "-vllm");
            var labels = isvc.Root.StringMap("spec", "predictor", "labels");
            labels["serving.kserve.io/inferenceservice"] = isvc.Name;
            return labels;
        }

        return manifests.Single("Deployment", HelmChart.FullName + "-vllm").Root.StringMap("spec", "template", "metadata", "labels");
    }

    public static TheoryData<string> AllScenarios() => [.. HelmChart.Scenarios];
}
