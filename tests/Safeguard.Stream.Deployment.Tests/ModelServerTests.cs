using YamlDotNet.RepresentationModel;

namespace Safeguard.Stream.Deployment.Tests;

/// <summary>The optional vLLM server: off, a Deployment and Service, or a KServe InferenceService.</summary>
public sealed class ModelServerTests
{
    private const string VllmName = HelmChart.FullName + "-vllm";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("eventstreams")]
    [InlineData("kafka")]
    public async Task Template_VllmDisabled_NoModelServerAndTheConfiguredEndpoint(string scenario)
    {
        var manifests = await HelmChart.TemplateAsync(scenario, Ct);

        Assert.DoesNotContain(manifests.Items, m => m.Name.StartsWith(VllmName, StringComparison.Ordinal));
        Assert.Empty(manifests.OfKind("InferenceService"));
        Assert.DoesNotContain(VllmName, manifests.Settings["Safeguard__Llm__Endpoint"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Template_VllmDisabledWithoutEndpoint_Refused()
    {
        var error = await HelmChart.TemplateErrorAsync("eventstreams", Ct, "config.Llm.Endpoint=");

        Assert.Contains("config.Llm.Endpoint is required when vllm.enabled is false", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("vllm")]
    [InlineData("kserve")]
    public async Task Template_VllmEnabled_ServesTheModelOnAnMi210FromVolumesOffline(string scenario)
    {
        var manifests = await HelmChart.TemplateAsync(scenario, Ct);
        var pod = ServerPod(manifests, scenario);
        var container = pod.Items("containers").Single();

        Assert.Equal("kserve-container", container.Text("name"));
        Assert.Equal(
            "docker-registry.wikimedia.org/ml/amd-vllm014:gfx90agfx942rocm7.0.0pytorch2.10.0mori0.1flash-attn2.8.3aiter0.1.7vllm0.14",
            container.Text("image"));
        Assert.Equal("1", container.Text("resources", "limits", "amd.com/gpu"));
        Assert.Equal("AMD_Instinct_MI210", pod.Text("nodeSelector", "amd.com/gpu.product-name"));
        Assert.Contains(pod.Items("tolerations"), t => t.TextOrNull("key") == "amd.com/gpu");

        var args = container.Items("args").Select(a => a.Text()).ToList();
        Assert.Equal("/models/gpt-oss-safeguard-20b", args[0]);
        Assert.Equal("openai/gpt-oss-safeguard-20b", ArgValue(args, "--served-model-name"));
        Assert.Equal("8192", ArgValue(args, "--max-model-len"));
        Assert.Equal("0.9", ArgValue(args, "--gpu-memory-utilization"));
        Assert.Equal("8000", ArgValue(args, "--port"));
        Assert.Contains("--enable-prefix-caching", args);
        Assert.Contains("--enable-prompt-tokens-details", args);
        Assert.DoesNotContain(args, a => a.StartsWith("--api-key", StringComparison.Ordinal));

        Assert.Equal("1", container.Env("HF_HUB_OFFLINE").Text("value"));
        var tiktoken = container.Env("TIKTOKEN_ENCODINGS_BASE").Text("value");
        Assert.Contains(container.Items("volumeMounts"), m => m.Text("mountPath") == tiktoken && m.Text("readOnly") == "true");
        var model = container.Items("volumeMounts").Single(m => m.Text("mountPath") == "/models");
        Assert.Equal("true", model.Text("readOnly"));
        Assert.Equal("gpt-oss-safeguard-20b", pod.Items("volumes").Single(v => v.Text("name") == model.Text("name"))
            .Text("persistentVolumeClaim", "claimName"));

        Assert.Null(container.Env("VLLM_API_KEY").At("value"));
        Assert.Equal("safeguard-vllm", container.Env("VLLM_API_KEY").Text("valueFrom", "secretKeyRef", "name"));
        Assert.Equal("/health", container.Text("readinessProbe", "httpGet", "path"));
        Assert.Equal("http", container.Text("readinessProbe", "httpGet", "port"));
        Assert.Equal("/health", container.Text("startupProbe", "httpGet", "path"));
        Assert.Equal("false", container.Text("securityContext", "allowPrivilegeEscalation"));
        Assert.Equal(["ALL"], container.Items("securityContext", "capabilities", "drop").Select(n => n.Text()));
    }

    [Fact]
    public async Task Template_VllmAsDeployment_ServiceInFrontAndWorkerPointedAtIt()
    {
        var manifests = await HelmChart.TemplateAsync("vllm", Ct);

        var service = manifests.Single("Service", VllmName);
        Assert.Equal(manifests.Single("Deployment", VllmName).Root.StringMap("spec", "selector", "matchLabels"), service.Root.StringMap("spec", "selector"));
        Assert.Equal("8000", service.Root.Items("spec", "ports").Single().Text("port"));
        Assert.Empty(manifests.OfKind("InferenceService"));
        Assert.Equal($"http://{VllmName}.{HelmChart.Namespace}.svc.cluster.local:8000/v1", manifests.Settings["Safeguard__Llm__Endpoint"]);
        Assert.Equal("openai/gpt-oss-safeguard-20b", manifests.Settings["Safeguard__Llm__Model"]);
        AssertWorkerUsesServerKey(manifests);
    }

    [Fact]
    public async Task Template_VllmOnKserve_InferenceServiceInsteadOfDeploymentAndWorkerPointedAtPredictor()
    {
        var manifests = await HelmChart.TemplateAsync("kserve", Ct);

        var isvc = manifests.Single("InferenceService", VllmName);
        Assert.Equal("serving.kserve.io/v1beta1", isvc.Root.Text("apiVersion"));
        Assert.Equal("RawDeployment", isvc.Root.Text("metadata", "annotations", "serving.kserve.io/deploymentMode"));
        Assert.DoesNotContain(manifests.Items, m => m.Name == VllmName && m.Kind is "Deployment" or "Service");
        // The tiktoken files come from their own volume in this scenario.
        var predictor = isvc["spec", "predictor"];
        Assert.Equal("tiktoken-encodings", predictor.Items("volumes").Single(v => v.Text("name") == "tiktoken").Text("configMap", "name"));
        Assert.Equal($"http://{VllmName}-predictor.{HelmChart.Namespace}.svc.cluster.local/v1", manifests.Settings["Safeguard__Llm__Endpoint"]);
        AssertWorkerUsesServerKey(manifests);
    }

    [Fact]
    public async Task Template_VllmEnabledWithExplicitEndpoint_EndpointWins()
    {
        var manifests = await HelmChart.TemplateAsync("vllm", Ct, "config.Llm.Endpoint=https://shared-llm.example.org/v1");

        Assert.Equal("https://shared-llm.example.org/v1", manifests.Settings["Safeguard__Llm__Endpoint"]);
    }

    [Fact]
    public async Task Template_VllmEnabledWithoutApiKeySecret_Refused()
    {
        var error = await HelmChart.TemplateErrorAsync("vllm", Ct, "vllm.apiKey.existingSecret=");

        Assert.Contains("vllm.enabled needs vllm.apiKey.existingSecret", error, StringComparison.Ordinal);
    }

    private static void AssertWorkerUsesServerKey(Manifests manifests)
    {
        var worker = manifests.Worker["spec", "template", "spec"].Items("containers").Single();
        Assert.Equal("safeguard-vllm", worker.Env("Safeguard__Llm__ApiKey").Text("valueFrom", "secretKeyRef", "name"));
        Assert.Equal("api-key", worker.Env("Safeguard__Llm__ApiKey").Text("valueFrom", "secretKeyRef", "key"));
    }

    private static YamlNode ServerPod(Manifests manifests, string scenario) => scenario == "kserve"
        ? manifests.Single("InferenceService", VllmName)["spec", "predictor"]!
        : manifests.Single("Deployment", VllmName)["spec", "template", "spec"]!;

    private static string ArgValue(List<string> args, string flag)
    {
        var index = args.IndexOf(flag);
        Assert.True(index >= 0 && index + 1 < args.Count, $"{flag} missing from vllm serve arguments: {string.Join(' ', args)}");
        return args[index + 1];
    }
}
