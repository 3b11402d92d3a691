namespace Safeguard.Stream.Deployment.Tests;

/// <summary>The tagger's Deployment (<c>safeguard tagger</c>), its bot secret by name, its NetworkPolicy, and the safety valve's alert rule.</summary>
public sealed class TaggerDeploymentTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string TaggerName => HelmChart.FullName + "-tagger";

    [Fact]
    public async Task Template_Tagger_SameImageAsTheWorker_ArgsTagger_ProbesAndHardening()
    {
        var manifests = await HelmChart.TemplateAsync("tagger", Ct);
        var tagger = manifests.Single("Deployment", TaggerName);
        var pod = tagger["spec", "template", "spec"];
        var container = pod.Items("containers").Single();
        var worker = manifests.Worker["spec", "template", "spec"].Items("containers").Single();

        Assert.Equal(worker.Text("image"), container.Text("image"));
        Assert.Equal(["tagger"], container.Items("args").Select(a => a.Text()));
        Assert.Equal("2", tagger.Root.Text("spec", "replicas"));
        Assert.Equal("tagger", tagger.Root.Text("spec", "selector", "matchLabels", "app.kubernetes.io/component"));
        Assert.Equal("/health", container.Text("readinessProbe", "httpGet", "path"));
        Assert.Equal("/alive", container.Text("livenessProbe", "httpGet", "path"));
        Assert.Equal("true", container.Text("securityContext", "readOnlyRootFilesystem"));
        Assert.Equal("false", pod.Text("automountServiceAccountToken"));
        Assert.Equal(HelmChart.FullName + "-env", container.Items("envFrom").Single().Text("configMapRef", "name"));
        Assert.Contains(container.Items("volumeMounts"), m => m.Text("name") == "policies");
    }

    [Fact]
    public async Task Template_TaggerNetworkPolicy_HealthPortIn_WikisKafkaPostgresOut_NoModel()
    {
        var manifests = await HelmChart.TemplateAsync("tagger", Ct);
        var policy = manifests.Single("NetworkPolicy", TaggerName).Root;
        var podLabels = manifests.Single("Deployment", TaggerName).Root.StringMap("spec", "template", "metadata", "labels");
        static IEnumerable<(string, string)> Ports(YamlDotNet.RepresentationModel.YamlNode rule) =>
            rule.Items("ports").Select(p => (p.Text("port"), p.TextOrNull("protocol") ?? "TCP"));

        Assert.Equal(["Ingress", "Egress"], policy.Items("spec", "policyTypes").Select(n => n.Text()));
        Assert.All(policy.StringMap("spec", "podSelector", "matchLabels"), l => Assert.Equal(l.Value, podLabels[l.Key]));
        Assert.Equal("tagger", policy.Text("spec", "podSelector", "matchLabels", "app.kubernetes.io/component"));
        var ingress = Assert.Single(policy.Items("spec", "ingress"));
        Assert.Equal([(manifests.Settings["Safeguard__Telemetry__HealthPort"], "TCP")], Ports(ingress));
        var egress = policy.Items("spec", "egress").ToList();
        Assert.All(egress, rule => Assert.NotEmpty(rule.Items("ports")));
        // DNS, Kafka, Postgres and HTTPS to the wikis; the model's port (8000 in this scenario) is the worker's alone.
        Assert.Equal(new HashSet<(string, string)> { ("53", "UDP"), ("53", "TCP"), ("9093", "TCP"), ("5432", "TCP"), ("443", "TCP") }, egress.SelectMany(Ports).ToHashSet());
        Assert.Contains(("8000", "TCP"), manifests.Single("NetworkPolicy", HelmChart.FullName + "-worker").Root.Items("spec", "egress").SelectMany(Ports));
    }

    [Fact]
    public async Task Template_Tagger_BotPasswordBySecretName_UsernameInSettings_NoSecretValueAnywhere()
    {
        var manifests = await HelmChart.TemplateAsync("tagger", Ct);
        var container = manifests.Single("Deployment", TaggerName)["spec", "template", "spec"].Items("containers").Single();

        var password = container.Env("Safeguard__Tagging__BotPassword");
        Assert.NotNull(password);
        Assert.Null(password.At("value"));
        Assert.Equal("safeguard-tagger-bot", password.Text("valueFrom", "secretKeyRef", "name"));
        Assert.Equal("bot-password", password.Text("valueFrom", "secretKeyRef", "key"));
        Assert.Null(container.Env("Safeguard__Tagging__AccessToken"));
        Assert.Null(container.Env("Safeguard__Llm__ApiKey")); // the tagger does not talk to the model
        Assert.Equal("safeguard-postgres", container.Env("PGPASSWORD").Text("valueFrom", "secretKeyRef", "name"));
        Assert.Equal("safeguard-kafka", container.Env("Safeguard__Kafka__Producer__sasl.password").Text("valueFrom", "secretKeyRef", "name"));
        Assert.Empty(manifests.OfKind("Secret"));

        var settings = manifests.Settings;
        Assert.Equal("SafeguardBot@safeguard", settings["Safeguard__Tagging__BotUsername"]);
        Assert.Equal("enwiki", settings["Safeguard__Tagging__Wikis__0"]);
        Assert.Equal("dewiki", settings["Safeguard__Tagging__Wikis__1"]);
        Assert.Equal("0.05", settings["Safeguard__Tagging__MaxFlagRate"]);
        Assert.Equal("https://safeguard-review.example.org", settings["Safeguard__Tagging__ReviewUrl"]);
    }

    [Fact]
    public async Task Template_AccessToken_ReplacesTheBotPassword()
    {
        var manifests = await HelmChart.TemplateAsync("tagger", Ct, "tagger.secret.botPasswordKey=", "tagger.secret.accessTokenKey=access-token");
        var container = manifests.Single("Deployment", TaggerName)["spec", "template", "spec"].Items("containers").Single();

        Assert.Null(container.Env("Safeguard__Tagging__BotPassword"));
        Assert.Equal("access-token", container.Env("Safeguard__Tagging__AccessToken").Text("valueFrom", "secretKeyRef", "key"));
    }

    [Fact]
    public async Task Template_ValveAlert_FiresOnTheValveGauge_NamingTheReArmCommand()
    {
        var manifests = await HelmChart.TemplateAsync("tagger", Ct);
        var rule = manifests.Single("PrometheusRule", TaggerName);

        Assert.Equal("monitoring.coreos.com/v1", rule.Root.Text("apiVersion"));
        Assert.Equal("prometheus", rule.Root.Text("metadata", "labels", "release"));
        var alert = rule.Root.Items("spec", "groups").Single().Items("rules").Single();
        Assert.Equal("SafeguardTaggingValveOpen", alert.Text("alert"));
        // The OpenTelemetry gauge safeguard.stream.tagger.valve_open (tags wiki, safeguard.policy) as Prometheus names it.
        Assert.Contains("safeguard_stream_tagger_valve_open", alert.Text("expr"), StringComparison.Ordinal);
        Assert.Contains("by (wiki, safeguard_policy)", alert.Text("expr"), StringComparison.Ordinal);
        Assert.Equal("critical", alert.Text("labels", "severity"));
        Assert.Contains("safeguard tagger valve --wiki {{ $labels.wiki }} --policy {{ $labels.safeguard_policy }} --reset", alert.Text("annotations", "description"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Template_AlertDisabled_NoPrometheusRule_TaggerDisabled_NoTagger()
    {
        var withoutAlert = await HelmChart.TemplateAsync("tagger", Ct, "tagger.alert.enabled=false");
        var withoutTagger = await HelmChart.TemplateAsync("eventstreams", Ct);

        Assert.Single(withoutAlert.OfKind("Deployment"), d => d.Name == TaggerName);
        Assert.Empty(withoutAlert.OfKind("PrometheusRule"));
        Assert.DoesNotContain(withoutTagger.OfKind("Deployment"), d => d.Name == TaggerName);
    }

    [Theory]
    [InlineData("tagger.secret.existingSecret=", "tagger.enabled needs tagger.secret.existingSecret")]
    [InlineData("config.Tagging.ReviewUrl=", "tagger.enabled needs config.Tagging.ReviewUrl")]
    [InlineData("tagger.secret.accessTokenKey=access-token", "set exactly one of botPasswordKey")]
    [InlineData("config.Tagging.BotUsername=", "tagger.secret.botPasswordKey needs config.Tagging.BotUsername")]
    [InlineData("config.Tagging.BotPassword=s3cr3t-marker", "config.Tagging.BotPassword and config.Tagging.AccessToken must not be set in values")]
    public async Task Template_TaggerMisconfigured_Refused(string set, string message)
    {
        var error = await HelmChart.TemplateErrorAsync("tagger", Ct, set);

        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-marker", error, StringComparison.Ordinal);
    }
}
