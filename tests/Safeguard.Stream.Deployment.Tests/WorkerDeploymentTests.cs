namespace Safeguard.Stream.Deployment.Tests;

/// <summary>The worker's Deployment: probes, hardening, shutdown, settings and policies.</summary>
public sealed class WorkerDeploymentTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(AllScenarios))]
    public async Task Template_WorkerProbes_AliveForLivenessHealthForReadinessOnInternalPort(string scenario)
    {
        var manifests = await HelmChart.TemplateAsync(scenario, Ct);
        var container = manifests.Worker["spec", "template", "spec"].Items("containers").Single();
        var healthPort = manifests.Settings["Safeguard__Telemetry__HealthPort"];

        var port = container.Items("ports").Single();
        Assert.Equal("http-internal", port.Text("name"));
        Assert.Equal(healthPort, port.Text("containerPort"));
        Assert.Equal("/alive", container.Text("livenessProbe", "httpGet", "path"));
        Assert.Equal("http-internal", container.Text("livenessProbe", "httpGet", "port"));
        Assert.Equal("/health", container.Text("readinessProbe", "httpGet", "path"));
        Assert.Equal("http-internal", container.Text("readinessProbe", "httpGet", "port"));
        Assert.Equal("/alive", container.Text("startupProbe", "httpGet", "path"));
        Assert.Equal("0.0.0.0", manifests.Settings["Safeguard__Telemetry__HealthHost"]);
    }

    [Theory]
    [MemberData(nameof(AllScenarios))]
    public async Task Template_WorkerAndMigrations_NonRootReadOnlyRootNoEscalationNoCapabilities(string scenario)
    {
        var manifests = await HelmChart.TemplateAsync(scenario, Ct);
        var pods = manifests.OfKind("Deployment").Where(d => d.Name == HelmChart.FullName)
            .Concat(manifests.OfKind("Job"))
            .Select(m => m["spec", "template", "spec"])
            .ToList();
        Assert.NotEmpty(pods);

        foreach (var pod in pods)
        {
            Assert.Equal("true", pod.Text("securityContext", "runAsNonRoot"));
            Assert.Equal("RuntimeDefault", pod.Text("securityContext", "seccompProfile", "type"));
            Assert.Equal("false", pod.Text("automountServiceAccountToken"));
            foreach (var container in pod.AllContainers())
            {
                var name = container.Text("name");
                Assert.True(container.Text("securityContext", "runAsNonRoot") == "true", $"{name}: runAsNonRoot");
                Assert.True(container.Text("securityContext", "readOnlyRootFilesystem") == "true", $"{name}: readOnlyRootFilesystem");
                Assert.True(container.Text("securityContext", "allowPrivilegeEscalation") == "false", $"{name}: allowPrivilegeEscalation");
                Assert.Equal(["ALL"], container.Items("securityContext", "capabilities", "drop").Select(n => n.Text()));
                Assert.Empty(container.Items("securityContext", "capabilities", "add"));
                Assert.Equal("RuntimeDefault", container.Text("securityContext", "seccompProfile", "type"));
                // A read-only root still needs a writable /tmp, and it must be an emptyDir.
                var tmp = container.Items("volumeMounts").Single(m => m.Text("mountPath") == "/tmp");
                var volume = pod.Items("volumes").Single(v => v.Text("name") == tmp.Text("name"));
                Assert.NotNull(volume.At("emptyDir"));
            }
        }
    }

    [Fact]
    public async Task Template_TerminationGracePeriod_ExceedsHostShutdownTimeout()
    {
        var manifests = await HelmChart.TemplateAsync("eventstreams", Ct);

        var grace = int.Parse(manifests.Worker.Root.Text("spec", "template", "spec", "terminationGracePeriodSeconds"), System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(grace > 30, $"terminationGracePeriodSeconds {grace} must exceed HostOptions.ShutdownTimeout (30 s)");
    }

    [Fact]
    public async Task Template_TerminationGracePeriodNotAboveShutdownTimeout_Refused()
    {
        var error = await HelmChart.TemplateErrorAsync("eventstreams", Ct, "terminationGracePeriodSeconds=30");

        Assert.Contains("must exceed the worker's 30 s HostOptions.ShutdownTimeout", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Template_Settings_RenderedAsSafeguardEnvironmentVariables()
    {
        var manifests = await HelmChart.TemplateAsync("eventstreams", Ct);
        var settings = manifests.Settings;
        var container = manifests.Worker["spec", "template", "spec"].Items("containers").Single();

        Assert.All(settings.Keys, key => Assert.StartsWith("Safeguard__", key, StringComparison.Ordinal));
        Assert.Equal("EventStreams", settings["Safeguard__Source__Kind"]);
        Assert.Equal("https://llm.example.org/v1", settings["Safeguard__Llm__Endpoint"]);
        Assert.Equal("kafka-1.example.org:9093,kafka-2.example.org:9093", settings["Safeguard__Kafka__BootstrapServers"]);
        // librdkafka keys keep their dots; numbers are not printed in exponent form.
        Assert.Equal("SCRAM-SHA-512", settings["Safeguard__Kafka__Producer__sasl.mechanism"]);
        Assert.Equal("1048576", settings["Safeguard__Source__MaxEventBytes"]);
        // Empty values are left to the image's appsettings.json rather than rendered as "".
        Assert.DoesNotContain("Safeguard__Source__UserAgent", settings.Keys);
        Assert.Equal(HelmChart.FullName + "-env", container.Items("envFrom").Single().Text("configMapRef", "name"));
    }

    [Fact]
    public async Task Template_Policies_MountedReadOnlyWhereTheSettingPoints()
    {
        var manifests = await HelmChart.TemplateAsync("eventstreams", Ct);
        var pod = manifests.Worker["spec", "template", "spec"];
        var container = pod.Items("containers").Single();
        var directory = manifests.Settings["Safeguard__Policies__Directory"];

        var mount = container.Items("volumeMounts").Single(m => m.Text("mountPath") == directory);
        Assert.Equal("true", mount.Text("readOnly"));
        var volume = pod.Items("volumes").Single(v => v.Text("name") == mount.Text("name"));
        Assert.Equal(HelmChart.FullName + "-policies", volume.Text("configMap", "name"));
    }

    [Fact]
    public async Task Template_PoliciesConfigMap_HoldsEveryRepositoryPolicyVerbatim()
    {
        var manifests = await HelmChart.TemplateAsync("eventstreams", Ct);
        var data = manifests.Single("ConfigMap", HelmChart.FullName + "-policies").Root.StringMap("data");
        var expected = Directory.GetFiles(Path.Combine(HelmChart.RepoRoot, "policies"), "*.md")
            .Where(f => !Path.GetFileName(f).Equals("README.md", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(f => Path.GetFileName(f), File.ReadAllText);

        Assert.NotEmpty(expected);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), data.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, text) in expected)
        {
            Assert.True(text == data[name], $"{name} in the ConfigMap differs from policies/{name}");
        }
    }

    [Fact]
    public async Task Template_PolicyFileFromValues_ReplacesTheShippedOne()
    {
        var manifests = await HelmChart.TemplateAsync("eventstreams", Ct, "policies.files.spam\\.md=replaced");

        var data = manifests.Single("ConfigMap", HelmChart.FullName + "-policies").Root.StringMap("data");

        Assert.Equal("replaced", data["spam.md"]);
        Assert.Contains("vandalism.md", data.Keys);
    }

    [Fact]
    public void ChartPolicies_CopiedFiles_MatchRepositoryPolicies()
    {
        var source = Path.Combine(HelmChart.RepoRoot, "policies");
        var copy = Path.Combine(HelmChart.ChartDirectory, "files", "policies");
        var expected = Directory.GetFiles(source, "*.md").Select(Path.GetFileName).Where(n => n != "README.md").Order(StringComparer.Ordinal).ToList();
        var actual = Directory.GetFiles(copy, "*.md").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();

        Assert.True(expected.SequenceEqual(actual), $"helm/safeguard-stream/files/policies is out of date; run: scripts/helm.sh sync-policies");
        foreach (var name in expected)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(source, name!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(copy, name!))),
                $"files/policies/{name} differs from policies/{name}; run: scripts/helm.sh sync-policies");
        }
    }

    [Theory]
    [InlineData("eventstreams", "Recreate")]
    [InlineData("kafka", "RollingUpdate")]
    public async Task Template_Strategy_OneSseReaderAtATimeRollingForKafka(string scenario, string expected)
    {
        var manifests = await HelmChart.TemplateAsync(scenario, Ct);

        Assert.Equal(expected, manifests.Worker.Root.Text("spec", "strategy", "type"));
    }

    [Fact]
    public async Task Template_ServiceAndServiceMonitor_ScrapeMetricsOnInternalPort()
    {
        var manifests = await HelmChart.TemplateAsync("eventstreams", Ct);

        var service = manifests.Single("Service", HelmChart.FullName);
        var port = service.Root.Items("spec", "ports").Single();
        Assert.Equal(manifests.Settings["Safeguard__Telemetry__HealthPort"], port.Text("port"));
        Assert.Equal("http-internal", port.Text("targetPort"));
        var monitor = manifests.Single("ServiceMonitor", HelmChart.FullName);
        var endpoint = monitor.Root.Items("spec", "endpoints").Single();
        Assert.Equal("/metrics", endpoint.Text("path"));
        Assert.Equal(port.Text("name"), endpoint.Text("port"));
        Assert.Equal(service.Root.StringMap("spec", "selector"), monitor.Root.StringMap("spec", "selector", "matchLabels"));
    }

    [Fact]
    public async Task Template_ServiceMonitorOff_NotRendered()
    {
        var manifests = await HelmChart.TemplateAsync("vllm", Ct);

        Assert.Empty(manifests.OfKind("ServiceMonitor"));
    }

    public static TheoryData<string> AllScenarios() => [.. HelmChart.Scenarios];
}
